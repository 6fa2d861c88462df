import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicyEngine, type PolicyReloadResult } from '../../src/policy/cedar-engine.js';
import { watchPolicies } from '../../src/policy/watch.js';
import { DEFAULT_POLICY_DIR, type PolicyFixture, policyFixture, toolCall } from './fixture.js';

const DEFAULTS = readFileSync(join(DEFAULT_POLICY_DIR, 'default.cedar'), 'utf8');
const NO_SHELL =
  '@id("no-shell")\nforbid (principal, action, resource == Switchboard::Tool::"shell_exec");\n';

let fixture: PolicyFixture | undefined;
let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  fixture?.remove();
});

function setup() {
  fixture = policyFixture({ 'default.cedar': DEFAULTS });
  const engine = loadPolicyEngine({
    dir: fixture.dir,
    schemaPath: fixture.schemaPath,
    groups: { members: ['*'] },
  });
  const lines: string[] = [];
  let waiter:
    | { test: (r: PolicyReloadResult) => boolean; resolve: (r: PolicyReloadResult) => void }
    | undefined;
  /** Resolves on the first reload from now on that passes `test` (file events may come in bursts). */
  const reloadWhere = (test: (r: PolicyReloadResult) => boolean) =>
    new Promise<PolicyReloadResult>((resolve) => {
      waiter = { test, resolve };
    });
  stop = watchPolicies(engine, {
    dir: fixture.dir,
    schemaPath: fixture.schemaPath,
    debounceMs: 50,
    log: { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) },
    onReload: (result) => {
      if (waiter?.test(result)) waiter.resolve(result);
    },
  });
  return { engine, fixture, lines, reloadWhere };
}

describe('watchPolicies', () => {
  it('reloads when a policy file changes, and keeps the old set when the new one is broken', async () => {
    const { engine, fixture, lines, reloadWhere } = setup();
    const shell = toolCall('discord:1', 'shell_exec', false);
    expect(engine.decideToolCall(shell).decision).toBe('ask');

    const reloaded = reloadWhere((r) => r.ok && engine.policyIds.includes('no-shell'));
    fixture.write('no-shell.cedar', NO_SHELL);
    await reloaded;
    expect(engine.decideToolCall(shell).decision).toBe('deny');

    const failed = reloadWhere((r) => !r.ok);
    fixture.write('broken.cedar', 'permit (principal, action, resource) when { oops };\n');
    await failed;
    expect(engine.decideToolCall(shell).policyIds).toEqual(['no-shell']);
    expect(lines.filter((l) => l.startsWith('warn')).at(-1)).toMatch(
      /^warn policy reload \(files changed\) failed, the previous policies stay in force:\n.*broken\.cedar:1:/,
    );
  });

  it('reloads on SIGHUP and stops listening when stopped', async () => {
    const { engine, fixture, lines, reloadWhere } = setup();
    await new Promise((resolve) => setTimeout(resolve, 60));
    fixture.write('no-shell.cedar', NO_SHELL);
    const reloaded = reloadWhere((r) => r.ok);
    process.emit('SIGHUP', 'SIGHUP');
    await reloaded;
    expect(engine.policyIds).toContain('no-shell');
    expect(lines).toContain(`info policies reloaded (SIGHUP): ${engine.policyIds.length} policies in force`);
    const before = process.listenerCount('SIGHUP');
    stop?.();
    stop = undefined;
    expect(process.listenerCount('SIGHUP')).toBe(before - 1);
  });
});
