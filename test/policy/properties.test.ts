import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import { type AuthzQuery, EVERYONE, type PolicyAction } from '../../src/policy/engine.js';
import { type PolicyFixture, policyFixture, toolCall } from './fixture.js';

const fixtures: PolicyFixture[] = [];
afterAll(() => {
  for (const f of fixtures) f.remove();
});

function engineWith(files: Record<string, string>, groups: Record<string, string[]>) {
  const fixture = policyFixture(files);
  fixtures.push(fixture);
  return loadPolicyEngine({ dir: fixture.dir, schemaPath: fixture.schemaPath, groups });
}

const EVERYONE_IN_EVERY_GROUP = { admins: ['*'], approvers: ['*'], members: ['*'] };
const PERMIT_ALL = '@id("permit-all")\npermit (principal, action, resource);\n';

const idChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-'.split(''));
const word = fc.string({ unit: idChars, minLength: 1, maxLength: 12 });
const principal = fc
  .tuple(fc.constantFrom('discord', 'slack', 'telegram', 'console'), word)
  .map(([platform, id]) => `${platform}:${id}`);
const tool = word;

const ACTIONS: PolicyAction[] = [
  'chat',
  'approve',
  'approve_for_session',
  'cancel_run',
  'read_usage',
  'read_events',
];

function queryFor(action: PolicyAction, who: string, other: string): AuthzQuery {
  switch (action) {
    case 'chat':
      return { principal: who, action, resource: { type: 'Conversation', id: 'console:c' } };
    case 'approve':
    case 'approve_for_session':
      return {
        principal: who,
        action,
        resource: { type: 'Approval', id: 'a' },
        context: { requester: other, tool: 't', argsHash: 'h' },
      };
    case 'cancel_run':
      return { principal: who, action, resource: { type: 'Run', id: 'r', attrs: { owner: other } } };
    case 'read_usage':
      return { principal: who, action, resource: { type: 'User', id: other } };
    default:
      return { principal: who, action, resource: EVERYONE };
  }
}

describe('policy engine properties', () => {
  it('denies everything when there are no policies (default deny)', () => {
    const engine = engineWith({}, EVERYONE_IN_EVERY_GROUP);
    expect(engine.policyIds).toEqual([]);
    fc.assert(
      fc.property(
        principal,
        principal,
        tool,
        fc.boolean(),
        fc.constantFrom(...ACTIONS),
        (who, other, name, ro, action) => {
          expect(engine.decideToolCall(toolCall(who, name, ro)).decision).toBe('deny');
          expect(engine.authorize(queryFor(action, who, other)).allowed).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('lets a forbid beat every permit, for random principals and tools', () => {
    fc.assert(
      fc.property(principal, tool, fc.boolean(), (who, name, ro) => {
        const engine = engineWith(
          {
            'permit.cedar': PERMIT_ALL,
            'forbid.cedar': `@id("forbid-one")\nforbid (\n  principal == Switchboard::User::"${who}",\n  action,\n  resource == Switchboard::Tool::"${name}"\n);\n`,
          },
          EVERYONE_IN_EVERY_GROUP,
        );
        expect(engine.decideToolCall(toolCall(who, name, ro))).toEqual({
          decision: 'deny',
          policyIds: ['forbid-one'],
          errors: [],
        });
        expect(engine.decideToolCall(toolCall(`${who}x`, name, ro)).decision).toBe('allow');
        expect(engine.decideToolCall(toolCall(who, `${name}x`, ro)).decision).toBe('allow');
      }),
      { numRuns: 6 },
    );
  });

  it('lets a forbid on a group beat the defaults and a permit-all', () => {
    const engine = engineWith(
      {
        'permit.cedar': PERMIT_ALL,
        'forbid.cedar':
          '@id("forbid-blocked")\nforbid (principal in Switchboard::Group::"blocked", action, resource);\n',
      },
      { ...EVERYONE_IN_EVERY_GROUP, blocked: ['telegram:*'] },
    );
    fc.assert(
      fc.property(
        word,
        principal,
        tool,
        fc.boolean(),
        fc.constantFrom(...ACTIONS),
        (id, other, name, ro, action) => {
          const who = `telegram:${id}`;
          expect(engine.decideToolCall(toolCall(who, name, ro)).decision).toBe('deny');
          expect(engine.authorize(queryFor(action, who, other))).toEqual({
            allowed: false,
            policyIds: ['forbid-blocked'],
            errors: [],
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('denies when any policy fails to evaluate, even next to a permit', () => {
    const engine = engineWith(
      {
        'permit.cedar': PERMIT_ALL,
        'overflow.cedar':
          '@id("overflowing-forbid")\nforbid (principal, action, resource) when { 9223372036854775807 + 1 > 0 };\n',
      },
      EVERYONE_IN_EVERY_GROUP,
    );
    fc.assert(
      fc.property(
        principal,
        principal,
        tool,
        fc.boolean(),
        fc.constantFrom(...ACTIONS),
        (who, other, name, ro, action) => {
          const decision = engine.decideToolCall(toolCall(who, name, ro));
          expect(decision.decision).toBe('deny');
          expect(decision.errors.join()).toMatch(/overflowing-forbid: .*overflow/);
          const answer = engine.authorize(queryFor(action, who, other));
          expect(answer.allowed).toBe(false);
          expect(answer.errors).toHaveLength(1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('answers a run read the same as Cedar asked afresh, whichever runs were asked before', () => {
    const fresh = () => engineWith({}, { admins: ['console:root'], members: ['*'] });
    const remembering = fresh();
    const owners = ['console:ann', 'console:bob', 'console:root'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, fc.constantFrom(...owners), fc.constantFrom(...owners)), { maxLength: 20 }),
        (asks) => {
          for (const [id, owner, who] of asks) {
            const query: AuthzQuery = {
              principal: who,
              action: 'read_runs',
              resource: { type: 'Run', id, attrs: { owner } },
            };
            expect(remembering.authorize(query).allowed).toBe(fresh().authorize(query).allowed);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('tells runs apart by id when a policy names one', () => {
    const engine = engineWith(
      {
        'one-run.cedar':
          '@id("read-one-run")\npermit (principal, action == Switchboard::Action::"read_runs", resource == Switchboard::Run::"r1");\n',
      },
      { members: ['*'] },
    );
    const read = (id: string) =>
      engine.authorize({
        principal: 'console:ann',
        action: 'read_runs',
        resource: { type: 'Run', id, attrs: { owner: 'console:bob' } },
      }).allowed;
    expect(read('r1')).toBe(true);
    expect(read('r2')).toBe(false);
    expect(read('r1')).toBe(true);
  });

  it('tells a resource apart from the principal it equals', () => {
    const engine = engineWith(
      {
        'own.cedar':
          '@id("own-usage")\npermit (principal, action, resource) when { resource == principal };\n',
      },
      { members: ['*'] },
    );
    const usage = (who: string, of: string) =>
      engine.authorize({ principal: who, action: 'read_usage', resource: { type: 'User', id: of } }).allowed;
    expect(usage('console:ann', 'console:ann')).toBe(true);
    expect(usage('console:ann', 'console:bob')).toBe(false);
  });
});
