import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import { checkPolicies, explainDecision } from '../../src/policy/check.js';
import { DEFAULT_POLICY_DIR, type PolicyFixture, policyFixture, SCHEMA_PATH, toolCall } from './fixture.js';

const DEFAULTS = readFileSync(join(DEFAULT_POLICY_DIR, 'default.cedar'), 'utf8');
const MEMBERS = { members: ['discord:*'] };

let fixture: PolicyFixture | undefined;
afterEach(() => fixture?.remove());

function loadError(files: Record<string, string>): ConfigError {
  fixture = policyFixture(files);
  try {
    loadPolicyEngine({ dir: fixture.dir, schemaPath: fixture.schemaPath, groups: MEMBERS });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loading policies', () => {
  it('names file and line of a syntax error', () => {
    const error = loadError({
      'a.cedar': DEFAULTS,
      'broken.cedar':
        '// a comment\n\n@id("oops")\npermit (principal, action, resource) when { principal.ü };\n',
    });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/broken\.cedar:4:\d+: /);
  });

  it('names file, line and reason of a policy the schema rejects', () => {
    const error = loadError({
      'typo.cedar':
        '@id("x")\npermit (\n  principal,\n  action == Switchboard::Action::"call_tool",\n  resource\n) when { resource.readonly };\n',
    });
    expect(error.message).toMatch(/typo\.cedar:6:\d+: .*readonly.*read_only/);
  });

  it('rejects an unknown action and an unknown entity type', () => {
    const error = loadError({
      'x.cedar': '@id("a")\npermit (principal, action == Switchboard::Action::"fly", resource);\n',
      'y.cedar': '\n@id("b")\npermit (principal is Switchboard::Robot, action, resource);\n',
    });
    expect(error.message).toMatch(/x\.cedar:2:\d+: .*fly/);
    expect(error.message).toMatch(/y\.cedar:3:\d+: .*Robot/);
  });

  it('rejects a duplicate @id across files', () => {
    const error = loadError({
      'a.cedar': DEFAULTS,
      'b.cedar':
        '\n@id("members-chat")\npermit (principal, action == Switchboard::Action::"chat", resource);\n',
    });
    expect(error.message).toMatch(
      /b\.cedar:2: duplicate policy id "members-chat" \(first used at .*a\.cedar:\d+\)/,
    );
  });

  it('names the schema file and line of a schema error', () => {
    fixture = policyFixture({ 'a.cedar': DEFAULTS });
    fixture.write('bad.cedarschema', 'namespace Switchboard {\n  entity User in [Team];\n}\n');
    const attempt = () =>
      loadPolicyEngine({
        dir: fixture?.dir ?? '',
        schemaPath: join(fixture?.dir ?? '', 'bad.cedarschema'),
        groups: {},
      });
    expect(attempt).toThrow(/bad\.cedarschema:2:\d+: .*Team/);
  });

  it('names a missing folder and a bad group entry', () => {
    expect(() =>
      loadPolicyEngine({ dir: '/nonexistent/policies', schemaPath: SCHEMA_PATH, groups: {} }),
    ).toThrow(/\/nonexistent\/policies: cannot read the policy folder/);
    expect(() =>
      loadPolicyEngine({
        dir: DEFAULT_POLICY_DIR,
        schemaPath: SCHEMA_PATH,
        groups: { admins: ['discord:*:x'] },
      }),
    ).toThrow(/groups\.admins\[0\]/);
  });

  it('gives a policy without @id an id of file and line', () => {
    fixture = policyFixture({
      'plain.cedar': '\n\npermit (principal, action == Switchboard::Action::"chat", resource);\n',
    });
    const engine = loadPolicyEngine({ dir: fixture.dir, schemaPath: fixture.schemaPath, groups: {} });
    expect(engine.policyIds).toEqual(['plain.cedar:3']);
  });
});

describe('reload', () => {
  it('swaps to a new set, and keeps the old one when the new one is broken', () => {
    fixture = policyFixture({ 'a.cedar': DEFAULTS });
    const engine = loadPolicyEngine({ dir: fixture.dir, schemaPath: fixture.schemaPath, groups: MEMBERS });
    const shell = toolCall('discord:1', 'shell_exec', false);
    expect(engine.decideToolCall(shell).decision).toBe('ask');

    fixture.write(
      'b.cedar',
      '@id("no-shell")\nforbid (principal, action, resource == Switchboard::Tool::"shell_exec");\n',
    );
    expect(engine.reload()).toMatchObject({ ok: true, policyCount: engine.policyIds.length });
    expect(engine.decideToolCall(shell)).toEqual({ decision: 'deny', policyIds: ['no-shell'], errors: [] });

    fixture.write('c.cedar', 'permit (principal, action, resource) when { nonsense };\n');
    const broken = engine.reload();
    expect(broken.ok).toBe(false);
    expect(broken.ok ? [] : broken.errors.join('\n')).toMatch(/c\.cedar:1:\d+/);
    expect(engine.decideToolCall(shell).policyIds).toEqual(['no-shell']);
    expect(engine.policyIds).toContain('no-shell');

    unlinkSync(join(fixture.dir, 'b.cedar'));
    unlinkSync(join(fixture.dir, 'c.cedar'));
    expect(engine.reload().ok).toBe(true);
    expect(engine.decideToolCall(shell).decision).toBe('ask');
    expect(engine.reload({ groups: {} }).ok).toBe(true);
    expect(engine.decideToolCall(shell).decision).toBe('deny');
  });
});

describe('policy check and explain', () => {
  it('checks the shipped policies and reports broken ones', () => {
    expect(checkPolicies({ dir: DEFAULT_POLICY_DIR, schemaPath: SCHEMA_PATH })).toEqual({
      ok: true,
      errors: [],
      warnings: [],
      policyCount: 26,
    });
    fixture = policyFixture({ 'x.cedar': 'permit (principal, action, resource) when { 1 };\n' });
    const bad = checkPolicies({ dir: fixture.dir, schemaPath: fixture.schemaPath });
    expect(bad.ok).toBe(false);
    expect(bad.errors[0]).toMatch(/x\.cedar:1:\d+: /);
  });

  it('explains three-way tool decisions and other actions', () => {
    const engine = loadPolicyEngine({
      dir: DEFAULT_POLICY_DIR,
      schemaPath: SCHEMA_PATH,
      groups: { admins: ['console:root'], members: ['discord:*'] },
    });
    const explain = (query: Parameters<typeof explainDecision>[1]) => explainDecision(engine, query);
    expect(explain({ principal: 'discord:1', action: 'call_tool', tool: 'shell_exec' })).toEqual({
      decision: 'ask',
      policyIds: ['members-request-tools'],
      errors: [],
    });
    expect(
      explain({ principal: 'discord:1', action: 'call_tool', tool: 'current_time', readOnly: true }).decision,
    ).toBe('allow');
    expect(explain({ principal: 'slack:T:U', action: 'request_tool', tool: 'shell_exec' }).decision).toBe(
      'deny',
    );
    expect(explain({ principal: 'discord:1', action: 'chat' }).policyIds).toEqual(['members-chat']);
    expect(explain({ principal: 'discord:1', action: 'cancel_run' }).decision).toBe('deny');
    expect(explain({ principal: 'discord:1', action: 'cancel_run', subject: 'discord:1' }).decision).toBe(
      'allow',
    );
    expect(explain({ principal: 'console:root', action: 'approve', subject: 'console:root' }).decision).toBe(
      'allow',
    );
    expect(explain({ principal: 'discord:1', action: 'read_usage' }).decision).toBe('allow');
    expect(explain({ principal: 'discord:1', action: 'read_usage', subject: 'all' }).decision).toBe('deny');
    expect(explain({ principal: 'console:root', action: 'read_events' }).decision).toBe('allow');
    expect(explain({ principal: 'discord:1', action: 'read_events' }).decision).toBe('deny');
    expect(explain({ principal: 'discord:1', action: 'read_runs', subject: 'discord:1' }).policyIds).toEqual([
      'members-read-own-runs',
    ]);
    expect(explain({ principal: 'discord:1', action: 'read_runs', subject: 'all' }).decision).toBe('deny');
    expect(explain({ principal: 'discord:1', action: 'reset_session', subject: 'took-part' }).decision).toBe(
      'allow',
    );
    expect(explain({ principal: 'discord:1', action: 'reset_session' }).decision).toBe('deny');
    expect(explain({ principal: 'discord:1', action: 'read_sessions', subject: 'all' }).decision).toBe(
      'deny',
    );
    expect(explain({ principal: 'discord:1', action: 'read_approvals', subject: 'discord:1' }).decision).toBe(
      'allow',
    );
    expect(explain({ principal: 'discord:1', action: 'read_approvals', subject: 'all' }).decision).toBe(
      'deny',
    );
    expect(explain({ principal: 'discord:1', action: 'read_status' }).policyIds).toEqual([
      'members-read-status',
    ]);
    expect(explain({ principal: 'console:root', action: 'read_metrics' }).decision).toBe('allow');
    expect(explain({ principal: 'discord:1', action: 'fly' }).errors[0]).toMatch(/unknown action "fly"/);
    expect(explain({ principal: 'discord:1', action: 'call_tool' }).errors[0]).toMatch(/--tool/);
  });
});
