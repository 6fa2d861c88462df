import { ConfigError } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import { identitiesOf, NO_PEOPLE, type PeopleSnapshot, personOf } from './people.js';

/**
 * The implied nesting of the built-in groups: an admin is also an approver, an approver is also a
 * member. It is expressed as Cedar entity parents (`Group::"admins" in Group::"approvers"`), so
 * policies for members apply to all three and a policy can still single out admins.
 */
export const BUILT_IN_GROUP_PARENTS: Readonly<Record<string, readonly string[]>> = {
  admins: ['approvers'],
  approvers: ['members'],
};

/**
 * The principal the admin token acts as. It is always in `admins`, whatever `groups:` says, so the
 * admin token can do what the policies let admins do — and no more.
 */
export const ADMIN_TOKEN_PRINCIPAL = 'console:admin';

const CACHE_LIMIT = 10_000;

/**
 * Resolves a principal to the groups it belongs to, from the config's `groups:` map. An entry that
 * ends in `*` matches every principal with that prefix (`discord:*`, `slack:T1:*`, `*`); any other
 * entry matches exactly. The answer includes the groups implied by {@link BUILT_IN_GROUP_PARENTS}.
 */
export class GroupDirectory {
  readonly #exact = new Map<string, string[]>();
  readonly #prefixes: Array<{ prefix: string; group: string }> = [];
  readonly #parents = new Map<string, readonly string[]>();
  readonly #cache = new Map<string, readonly string[]>();

  readonly #people: PeopleSnapshot;

  /**
   * `people` adds the memberships granted in the journal, and makes linked identities one person:
   * each identity is in every group of any identity of its person.
   *
   * @throws ConfigError when an entry is empty or has a `*` anywhere but at its end.
   */
  constructor(groups: Readonly<Record<string, readonly string[]>>, people: PeopleSnapshot = NO_PEOPLE) {
    this.#people = people;
    for (const [group, members] of Object.entries(groups)) {
      for (const [index, entry] of members.entries()) {
        const star = entry.indexOf('*');
        if (entry.length === 0 || (star !== -1 && star !== entry.length - 1)) {
          throw new ConfigError(
            `groups.${group}[${index}] is "${entry}": write a principal (discord:123) or a prefix ending in * (discord:*)`,
          );
        }
        if (star === -1) {
          const list = this.#exact.get(entry) ?? [];
          list.push(group);
          this.#exact.set(entry, list);
        } else {
          this.#prefixes.push({ prefix: entry.slice(0, -1), group });
        }
      }
    }
    for (const [group, parents] of Object.entries(BUILT_IN_GROUP_PARENTS)) this.#parents.set(group, parents);
    const adminGroups = this.#exact.get(ADMIN_TOKEN_PRINCIPAL) ?? [];
    if (!adminGroups.includes('admins')) this.#exact.set(ADMIN_TOKEN_PRINCIPAL, [...adminGroups, 'admins']);
  }

  /** The groups a group itself belongs to (its Cedar entity parents). */
  parentsOfGroup(group: string): readonly string[] {
    return this.#parents.get(group) ?? [];
  }

  /** Every group `principal` is in, implied ones included, sorted; cached per principal. */
  groupsOf(principal: Principal): readonly string[] {
    const cached = this.#cache.get(principal);
    if (cached !== undefined) return cached;
    const found = new Set<string>();
    for (const identity of identitiesOf(this.#people, personOf(this.#people, principal))) {
      for (const group of this.#exact.get(identity) ?? []) found.add(group);
      for (const group of this.#people.memberships.get(identity) ?? []) found.add(group);
      for (const { prefix, group } of this.#prefixes) if (identity.startsWith(prefix)) found.add(group);
    }
    const queue = [...found];
    for (let group = queue.pop(); group !== undefined; group = queue.pop()) {
      for (const parent of this.parentsOfGroup(group)) {
        if (!found.has(parent)) {
          found.add(parent);
          queue.push(parent);
        }
      }
    }
    const groups = Object.freeze([...found].sort());
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(principal, groups);
    return groups;
  }
}
