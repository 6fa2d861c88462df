import type { CommandRequest, CommandResponse } from '../ports/gateway.js';
import type { AccessDesk } from './access-requests.js';
import { type IdentityLinks, LINK_CODE_TTL_MS, looksLikeLinkCode } from './identity-links.js';

/** The people doors the commands use. */
export interface PeopleCommandGateway {
  readonly accessDesk: Pick<AccessDesk, 'overview' | 'grant' | 'revoke'>;
  readonly links: Pick<IdentityLinks, 'issueCode' | 'redeem' | 'link' | 'unlink'>;
}

/** The lines `/help` adds for the people commands. */
export const PEOPLE_HELP = [
  '  access                   who asked to be let in, and who was (admins)',
  '  access grant|revoke <who> [group]   let someone in, or take it back (admins)',
  '  link                     show a one-time code; type it with /link <code> on your other platform',
  '  link <code>              link this account to the one that showed the code',
  '  link <who> <person>      link an identity into a person (admins); link remove <who> undoes it',
];

/**
 * `/access [grant|revoke <who> [group]]`: pending access requests, the memberships granted in
 * the journal and linked identities, or a grant / revocation. Each asks its own Cedar action.
 */
export async function accessCommand(
  gateway: PeopleCommandGateway,
  request: CommandRequest,
): Promise<CommandResponse> {
  const [verb, who, group] = request.args;
  if ((verb === 'grant' || verb === 'revoke') && who === undefined)
    return { ok: false, text: `Say whom: /access ${verb} <principal> [group]` };
  if (verb === 'grant' && who !== undefined) {
    const granted = await gateway.accessDesk.grant(request.principal, who, group ?? 'members');
    return { ok: true, text: `Let ${granted.principal} into ${granted.group}.` };
  }
  if (verb === 'revoke' && who !== undefined) {
    const removed = await gateway.accessDesk.revoke(request.principal, who, group);
    return {
      ok: true,
      text: `Took back ${removed.map((m) => `${m.principal} from ${m.group}`).join(', ')}.`,
    };
  }
  if (verb !== undefined)
    return { ok: false, text: 'Usage: /access, /access grant <who> [group], /access revoke <who> [group]' };
  const { pending, memberships, links } = await gateway.accessDesk.overview(request.principal);
  const lines = [
    pending.length === 0 ? 'No access requests are waiting.' : 'Waiting to be let in:',
    ...pending.map(
      (r) => `  ${r.id}: ${r.principal} (for ${r.group}) wrote "${r.message.text.slice(0, 80)}"`,
    ),
    memberships.length === 0 ? 'Nobody was let in through the journal.' : 'Let in:',
    ...memberships.map((m) => `  ${m.principal} in ${m.group} (by ${m.grantedBy})`),
    ...(links.length === 0
      ? []
      : ['Linked identities:', ...links.map((l) => `  ${l.principal} is ${l.person}`)]),
  ];
  return { ok: true, text: lines.join('\n') };
}

/**
 * `/link` shows a one-time code; `/link <code>` typed on another platform links the two
 * accounts; `/link <who> <person>` links an identity into a person and `/link remove <who>`
 * undoes it (admins).
 */
export async function linkCommand(
  gateway: PeopleCommandGateway,
  request: CommandRequest,
): Promise<CommandResponse> {
  const [first, second] = request.args;
  if (first === undefined) {
    const { code } = await gateway.links.issueCode(request.principal);
    const minutes = Math.round(LINK_CODE_TTL_MS / 60_000);
    return {
      ok: true,
      text: `Your link code is ${code}. Type /link ${code} on your other platform within ${minutes} minutes; it works once.`,
    };
  }
  if (first === 'remove' && second !== undefined) {
    const removed = await gateway.links.unlink(request.principal, second);
    return { ok: true, text: `Unlinked ${removed.principal} from ${removed.person}.` };
  }
  if (second !== undefined) {
    const linked = await gateway.links.link(request.principal, first, second);
    return {
      ok: true,
      text: `Linked ${linked.principal} to ${linked.person}: one person for policy and usage.`,
    };
  }
  if (!looksLikeLinkCode(first))
    return { ok: false, text: 'That is not a link code. Show one with /link on your other platform.' };
  const linked = await gateway.links.redeem(request.principal, first);
  return { ok: true, text: `Linked: you are ${linked.person} here too; your groups and usage follow you.` };
}
