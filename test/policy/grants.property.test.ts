/**
 * Grants as Cedar policies: what a grant permits, that whatever strings go into one it stays one
 * permit for its tool (no injection), and that no set of grants ever permits what an operator's
 * `forbid` forbids.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { simpleProgram } from '../../src/core/arg-pattern.js';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import { type GrantSpec, grantPolicyText, grantSources } from '../../src/policy/grants.js';
import { DEFAULT_POLICY_DIR, SCHEMA_PATH, toolCall } from './fixture.js';

const MEMBER = 'slack:T1:UMEM';
const OTHER = 'slack:T1:UOTH';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The default policies plus `extra` (the operator's own file). */
function engineWith(extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'sb-grants-'));
  dirs.push(dir);
  copyFileSync(join(DEFAULT_POLICY_DIR, 'default.cedar'), join(dir, 'default.cedar'));
  if (extra) writeFileSync(join(dir, 'operator.cedar'), extra);
  return loadPolicyEngine({ dir, schemaPath: SCHEMA_PATH, groups: { members: [MEMBER, OTHER] } });
}

/** A shell_exec call as the tool step asks it: the program of a simple command in the context. */
const shell = (principal: string, command: string, argsHash = 'sha256:any') => ({
  ...toolCall(principal, 'shell_exec', false),
  argsHash,
  program: simpleProgram(command) ?? '',
  conversation: { platform: 'slack', workspace: 'T1', channel: 'C1' },
});

let n = 0;
const id = () => `01J${String(++n).padStart(23, '0')}`;

describe('grants as Cedar policies', () => {
  it('a program grant for the requester lets them run that program unasked, no one else, nothing else', () => {
    const engine = engineWith();
    expect(engine.decideToolCall(shell(MEMBER, 'echo hi')).decision).toBe('ask');
    const grant: GrantSpec = {
      id: id(),
      tool: 'shell_exec',
      pattern: { kind: 'program', program: 'echo' },
      scope: { kind: 'requester', principal: MEMBER },
    };
    expect(engine.setExtraPolicies(grantSources([grant])).ok).toBe(true);
    expect(engine.decideToolCall(shell(MEMBER, 'echo there'))).toMatchObject({
      decision: 'allow',
      policyIds: [`grant-${grant.id}`],
    });
    expect(engine.decideToolCall(shell(MEMBER, 'ls')).decision).toBe('ask');
    expect(engine.decideToolCall(shell(OTHER, 'echo there')).decision).toBe('ask');
    // Revoked (the set without it): asking again.
    expect(engine.setExtraPolicies([]).ok).toBe(true);
    expect(engine.decideToolCall(shell(MEMBER, 'echo there')).decision).toBe('ask');
  });

  it('exact-argument and conversation grants cover only their arguments and conversation', () => {
    const engine = engineWith();
    engine.setExtraPolicies(
      grantSources([
        {
          id: id(),
          tool: 'shell_exec',
          pattern: { kind: 'exact', argsHash: 'sha256:exact' },
          scope: {
            kind: 'conversation',
            conversation: { platform: 'slack', workspace: 'T1', channel: 'C1' },
          },
        },
      ]),
    );
    expect(engine.decideToolCall(shell(OTHER, 'x', 'sha256:exact')).decision).toBe('allow');
    expect(engine.decideToolCall(shell(OTHER, 'x', 'sha256:other')).decision).toBe('ask');
    const elsewhere = {
      ...shell(OTHER, 'x', 'sha256:exact'),
      conversation: { platform: 'slack', channel: 'C2' },
    };
    expect(engine.decideToolCall(elsewhere).decision).toBe('ask');
  });

  it('whatever strings go into a grant, its text is one permit of call_tool for its tool', () => {
    const engine = engineWith();
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (tool, program, principal) => {
        const grant: GrantSpec = {
          id: id(),
          tool: tool || 'x',
          pattern: { kind: 'program', program },
          scope: { kind: 'requester', principal: principal || 'p' },
        };
        const text = grantPolicyText(grant);
        const result = engine.setExtraPolicies(grantSources([grant]));
        expect(result.ok, `${text}\n${result.ok ? '' : result.errors.join('\n')}`).toBe(true);
        expect(engine.policyIds.filter((p) => p.startsWith('grant-'))).toEqual([`grant-${grant.id}`]);
        expect(text.match(/\bforbid\b/g)).toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  it('no set of grants ever permits what an operator forbid forbids', () => {
    const engine = engineWith(`
      @id("no-rm")
      forbid (principal, action == Switchboard::Action::"call_tool", resource == Switchboard::Tool::"shell_exec")
      when { context.program == "rm" };
      @id("nothing-for-other")
      forbid (principal == Switchboard::User::"${OTHER}", action, resource == Switchboard::Tool::"shell_exec");
    `);
    const grantArb = fc.record({
      program: fc.constantFrom('rm', 'echo', 'ls', ''),
      who: fc.constantFrom('requester-member', 'requester-other', 'everyone', 'conversation'),
      exact: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(grantArb, { maxLength: 6 }),
        fc.constantFrom(MEMBER, OTHER),
        fc.constantFrom('rm', 'echo', 'ls'),
        (specs, principal, program) => {
          const grants: GrantSpec[] = specs.map((s) => ({
            id: id(),
            tool: 'shell_exec',
            pattern: s.exact
              ? { kind: 'exact', argsHash: 'sha256:any' }
              : { kind: 'program', program: s.program },
            scope:
              s.who === 'everyone'
                ? { kind: 'everyone' }
                : s.who === 'conversation'
                  ? {
                      kind: 'conversation',
                      conversation: { platform: 'slack', workspace: 'T1', channel: 'C1' },
                    }
                  : { kind: 'requester', principal: s.who === 'requester-member' ? MEMBER : OTHER },
          }));
          expect(engine.setExtraPolicies(grantSources(grants)).ok).toBe(true);
          const decision = engine.decideToolCall(shell(principal, `${program} x`)).decision;
          if (program === 'rm' || principal === OTHER) expect(decision).not.toBe('allow');
        },
      ),
      { numRuns: 200 },
    );
  });
});
