import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import { GroupDirectory } from '../../src/policy/groups.js';
import { DEFAULT_POLICY_DIR, SCHEMA_PATH, toolCall } from './fixture.js';

describe('groups', () => {
  it('matches exact principals and trailing-* prefixes', () => {
    const groups = new GroupDirectory({ members: ['discord:*', 'slack:T1:*'], approvers: ['telegram:7'] });
    expect(groups.groupsOf('discord:123')).toEqual(['members']);
    expect(groups.groupsOf('slack:T1:U9')).toEqual(['members']);
    expect(groups.groupsOf('slack:T2:U9')).toEqual([]);
    expect(groups.groupsOf('telegram:7')).toEqual(['approvers', 'members']);
    expect(groups.groupsOf('telegram:70')).toEqual([]);
  });

  it('makes admins approvers and members too', () => {
    const groups = new GroupDirectory({ admins: ['console:root'] });
    expect(groups.groupsOf('console:root')).toEqual(['admins', 'approvers', 'members']);
  });

  it('lets a bare * admit everyone and keeps custom groups', () => {
    const groups = new GroupDirectory({ members: ['*'], oncall: ['discord:1'] });
    expect(groups.groupsOf('anything:at:all')).toEqual(['members']);
    expect(groups.groupsOf('discord:1')).toEqual(['members', 'oncall']);
  });

  it('rejects a * that is not at the end, and empty entries', () => {
    expect(() => new GroupDirectory({ members: ['disc*rd:1'] })).toThrow(ConfigError);
    expect(() => new GroupDirectory({ members: ['ok:1', ''] })).toThrow(/groups\.members\[1\]/);
  });

  it('lets a whole platform in through the policies', () => {
    const engine = loadPolicyEngine({
      dir: DEFAULT_POLICY_DIR,
      schemaPath: SCHEMA_PATH,
      groups: { admins: [], approvers: ['slack:T1:*'], members: ['console:*'] },
    });
    expect(engine.groupsOf('console:alice')).toEqual(['members']);
    expect(engine.decideToolCall(toolCall('console:alice', 'current_time', true)).decision).toBe('allow');
    expect(engine.decideToolCall(toolCall('console:bob', 'shell_exec', false)).decision).toBe('ask');
    expect(engine.decideToolCall(toolCall('discord:1', 'current_time', true)).decision).toBe('deny');
    const approve = engine.authorize({
      principal: 'slack:T1:U1',
      action: 'approve',
      resource: { type: 'Approval', id: 'a1' },
      context: { requester: 'console:alice', tool: 'shell_exec', argsHash: 'h' },
    });
    expect(approve.allowed).toBe(true);
  });
});
