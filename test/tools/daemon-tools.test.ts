/**
 * "Tools run contained or not at all" at start: the registry the daemon builds offers
 * `shell_exec` only under a working isolation tier, or when the operator opted into running it
 * uncontained, and the start log and the `/status` line say which.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { buildDaemonTools } from '../../src/tools/daemon-tools.js';
import type { IsolationInfo } from '../../src/tools/sandbox/tier.js';
import { detectIsolation } from '../../src/tools/sandbox/tier.js';
import { fakeContext, makeWorkspace } from './fake-context.js';

const NO_BWRAP: IsolationInfo = { tier: 'none', reason: 'bwrap is not installed; install bubblewrap' };
const BLOCKED: IsolationInfo = {
  tier: 'none',
  reason:
    'bwrap at /usr/bin/bwrap cannot create its sandbox (bwrap: No permissions to creating new namespace); allow unprivileged user namespaces',
};

const real = await detectIsolation();

let ws: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ workspace: ws, cleanup } = await makeWorkspace());
});
afterEach(() => cleanup());

/** Builds the registry as the daemon does, with the given detection result and `tools:` section. */
async function build(isolation: IsolationInfo | Promise<IsolationInfo>, tools: Record<string, unknown> = {}) {
  const lines: Array<{ level: 'info' | 'warn'; obj: object; msg: string }> = [];
  const logger = {
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj, msg }),
    debug: () => {},
  };
  const config = parseConfig({ tools }).tools;
  const built = await buildDaemonTools({ tools: config, workspaceDir: ws, isolation, logger });
  return { ...built, lines, names: built.registry.list().map((t) => t.name) };
}

describe('the tool registry built at start', () => {
  it('allow_unisolated defaults to false', () => {
    expect(parseConfig({}).tools.sandbox).toEqual({ allow_unisolated: false });
  });

  it('without bwrap and without allow_unisolated, has no shell_exec and the start log says why and how to fix it', async () => {
    const { names, sandbox, lines } = await build(NO_BWRAP);
    expect(names).not.toContain('shell_exec');
    expect(names).toEqual(expect.arrayContaining(['current_time', 'file_read', 'file_write', 'http_fetch']));
    expect(sandbox.summary).toBe(
      'Sandbox: none — shell_exec is off (bwrap is not installed; install bubblewrap)',
    );
    expect(lines).toContainEqual({
      level: 'warn',
      obj: expect.objectContaining({ sandbox: 'off' }),
      msg: 'shell_exec is off: bwrap is not installed; install bubblewrap, or set tools.sandbox.allow_unisolated: true to run it uncontained',
    });
  });

  it('with a bwrap that cannot create namespaces, has no shell_exec and the summary carries bwrap’s error', async () => {
    const { names, sandbox } = await build(BLOCKED);
    expect(names).not.toContain('shell_exec');
    expect(sandbox.summary).toMatch(
      /^Sandbox: none — shell_exec is off \(bwrap at \/usr\/bin\/bwrap cannot create/,
    );
    expect(sandbox.summary).toContain('No permissions to creating new namespace');
  });

  it('with allow_unisolated true and no isolation, has shell_exec on the process-group tier and warns that it is UNISOLATED', async () => {
    const { registry, names, sandbox, lines } = await build(NO_BWRAP, {
      sandbox: { allow_unisolated: true },
    });
    expect(names).toContain('shell_exec');
    expect(sandbox.summary).toBe('Sandbox: UNISOLATED process group (tools.sandbox.allow_unisolated)');
    expect(lines).toContainEqual({
      level: 'warn',
      obj: expect.objectContaining({ sandbox: 'process-group' }),
      msg: expect.stringMatching(
        /^tool sandbox: UNISOLATED — shell_exec runs as this daemon's user with no isolation/,
      ),
    });
    const result = await registry.get('shell_exec')!.run({ command: 'echo hi' }, fakeContext(ws));
    expect(result.detail).toMatchObject({ tier: 'process-group', exitCode: 0 });
  });

  it('under bubblewrap, has shell_exec and the summary names the binary', async () => {
    const { names, sandbox, lines } = await build({
      tier: 'bwrap',
      bwrapPath: '/usr/bin/bwrap',
      reason: 'works',
    });
    expect(names).toContain('shell_exec');
    expect(sandbox.summary).toBe('Sandbox: bubblewrap (/usr/bin/bwrap)');
    expect(lines).toContainEqual({
      level: 'info',
      obj: expect.objectContaining({ sandbox: 'bwrap' }),
      msg: expect.any(String),
    });
  });

  it('a probe that fails to run is reported as no isolation, never as a working tier', async () => {
    const { names, sandbox } = await build(Promise.reject(new Error('EACCES: /tmp is not writable')));
    expect(names).not.toContain('shell_exec');
    expect(sandbox.summary).toContain('could not probe bubblewrap (EACCES: /tmp is not writable)');
  });

  it.runIf(real.tier === 'bwrap')(
    'on this machine, with the real detection, shell_exec runs under bubblewrap',
    async () => {
      const { registry } = await build(detectIsolation());
      const result = await registry.get('shell_exec')!.run({ command: 'ls /' }, fakeContext(ws));
      expect(result.detail).toMatchObject({ tier: 'bwrap', exitCode: 0 });
      expect(result.output).not.toMatch(/\bhome\b|\broot\b/);
    },
  );
});
