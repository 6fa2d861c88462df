import type { Principal } from '../core/types.js';

/**
 * The people the journal knows, as the policy sees them: the groups admins granted and which
 * identities are one person. Immutable; a change is a new snapshot (`PolicyEngine.setPeople`).
 */
export interface PeopleSnapshot {
  /** Principal → the groups granted to it in the journal (beside the config's `groups:`). */
  readonly memberships: ReadonlyMap<Principal, readonly string[]>;
  /** Identity → the person it is linked to; a person has no entry of its own. */
  readonly links: ReadonlyMap<Principal, Principal>;
}

/** Nobody granted, nobody linked: the groups are the config's alone. */
export const NO_PEOPLE: PeopleSnapshot = { memberships: new Map(), links: new Map() };

/** The person `principal` acts as: the one it is linked to, else itself. */
export function personOf(people: PeopleSnapshot, principal: Principal): Principal {
  return people.links.get(principal) ?? principal;
}

/** Every identity of `person` (itself first), for groups and usage that follow the person. */
export function identitiesOf(people: PeopleSnapshot, person: Principal): Principal[] {
  const identities = [person];
  for (const [identity, linked] of people.links)
    if (linked === person && identity !== person) identities.push(identity);
  return identities;
}

/** A snapshot from the journal's rows. */
export function peopleSnapshot(
  memberships: readonly { principal: Principal; group: string }[],
  links: readonly { principal: Principal; person: Principal }[],
): PeopleSnapshot {
  const byPrincipal = new Map<Principal, string[]>();
  for (const { principal, group } of memberships)
    byPrincipal.set(principal, [...(byPrincipal.get(principal) ?? []), group]);
  return { memberships: byPrincipal, links: new Map(links.map((l) => [l.principal, l.person])) };
}
