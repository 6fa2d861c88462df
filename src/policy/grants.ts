/**
 * "Always allow" as Cedar (DESIGN.md section 9, "People and grants"): a remembered approval is a
 * generated `permit` of `call_tool` for one tool, bound to an argument pattern
 * (`core/arg-pattern.ts`) and to the requester, a conversation or everyone. It joins the operator's
 * policies in one set (`PolicyEngineHandle.setExtraPolicies`), so a `forbid` the operator wrote
 * always wins over it, and it is validated like any policy.
 */
import type { Grant } from '../core/types.js';
import { conversationId } from './entities.js';
import type { SourceFile } from './source.js';

/** What a grant's policy is made of. */
export type GrantSpec = Pick<Grant, 'id' | 'tool' | 'pattern' | 'scope'>;

/** A Cedar string literal of `value`: quotes and backslashes escaped, control characters too. */
export function cedarString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The policy id of a grant: its ULID, which is all Crockford base-32 letters and digits. */
export function grantPolicyId(id: string): string {
  if (!/^[0-9A-Za-z]{1,64}$/.test(id)) throw new Error(`grant id "${id}" is not a ULID`);
  return `grant-${id}`;
}

/** The Cedar text of one grant: exactly one `permit` of `call_tool`. */
export function grantPolicyText(grant: GrantSpec): string {
  const principal =
    grant.scope.kind === 'requester'
      ? `principal == Switchboard::User::${cedarString(grant.scope.principal)}`
      : 'principal';
  const conditions = [
    grant.pattern.kind === 'exact'
      ? `context.args_hash == ${cedarString(grant.pattern.argsHash)}`
      : `context.program == ${cedarString(grant.pattern.program)}`,
    ...(grant.scope.kind === 'conversation'
      ? [
          `context.conversation == Switchboard::Conversation::${cedarString(conversationId(grant.scope.conversation))}`,
        ]
      : []),
  ];
  return [
    `@id(${cedarString(grantPolicyId(grant.id))})`,
    'permit (',
    `  ${principal},`,
    '  action == Switchboard::Action::"call_tool",',
    `  resource == Switchboard::Tool::${cedarString(grant.tool)}`,
    `) when { ${conditions.join(' && ')} };`,
    '',
  ].join('\n');
}

/** The grants as policy sources for `PolicyEngineHandle.setExtraPolicies`. */
export function grantSources(grants: readonly GrantSpec[]): SourceFile[] {
  return grants.map((grant) => ({ path: `grant:${grant.id}`, text: grantPolicyText(grant) }));
}
