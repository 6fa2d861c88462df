import { createHash, randomInt } from 'node:crypto';
import { ConflictError, NotFoundError, SwitchboardError, ValidationError } from '../core/errors.js';
import type { IdentityLink } from '../core/people.js';
import type { Principal } from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { Access } from './access.js';
import type { PeopleDirectory } from './people-directory.js';
import { userResource } from './resources.js';

/** How long a link code may be typed on the other platform. */
export const LINK_CODE_TTL_MS = 10 * 60_000;
/** At most this many codes per person per hour (counted in the journal, so across replicas). */
export const LINK_CODES_PER_HOUR = 5;
/** At most this many wrong codes per person in {@link WRONG_CODE_WINDOW_MS} (counted in the journal, so across replicas). */
export const WRONG_CODES_ALLOWED = 5;
export const WRONG_CODE_WINDOW_MS = 15 * 60_000;

/** Letters and digits that cannot be mistaken for each other (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

/** Thrown when a person asks for too many codes or types too many wrong ones. */
export class RateLimitedError extends SwitchboardError {
  constructor(message: string) {
    super('rate_limited', message, 429);
  }
}

/** What the identity links are built from. */
export interface IdentityLinksDeps {
  journal: JournalStore;
  access: Access;
  people: PeopleDirectory;
  clock: () => number;
}

/** A code as typed: case, spaces and dashes do not matter. */
function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The hash a link code is stored under (the code itself is never stored). */
export function hashLinkCode(code: string): string {
  return createHash('sha256')
    .update(`switchboard-link:${normalizeCode(code)}`)
    .digest('hex');
}

/** Whether `text` looks like a link code (so `/link <code>` is told from `/link <a> <b>`). */
export function looksLikeLinkCode(text: string): boolean {
  return normalizeCode(text).length === CODE_LENGTH && !text.includes(':');
}

const REFUSALS = {
  unknown: 'That link code is not valid. Check it, or show a new one with /link on your other account.',
  used: 'That link code was already used. Show a new one with /link on your other account.',
  expired: 'That link code expired. Show a new one with /link on your other account.',
  same_person: 'These accounts are already linked.',
} as const;

/**
 * One person on several platforms (DESIGN.md section 9): an admin links two identities, or the
 * person shows a one-time code on one platform (`/link`) and types it on another
 * (`/link <code>`). Codes are random, stored as hashes, expire in ten minutes, work once, and are
 * rate limited. Every door asks Cedar's `link_identity` on the identity being linked.
 */
export class IdentityLinks {
  constructor(private readonly deps: IdentityLinksDeps) {}

  /** A fresh code for `principal` to type on another platform. */
  async issueCode(principal: Principal): Promise<{ code: string; expiresAt: number }> {
    const { journal, clock } = this.deps;
    this.requireSelf(principal);
    const now = clock();
    if ((await journal.countLinkCodes(principal, now - 3_600_000)) >= LINK_CODES_PER_HOUR)
      throw new RateLimitedError(
        `You asked for ${LINK_CODES_PER_HOUR} link codes in the last hour; please wait before asking again.`,
      );
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    const expiresAt = now + LINK_CODE_TTL_MS;
    await journal.createLinkCode({ codeHash: hashLinkCode(code), principal, expiresAt, now });
    return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt };
  }

  /**
   * Links `principal` to the person who was shown `code`. A wrong, used or expired code is
   * refused with why and links nothing; too many wrong codes lock the person out for a while.
   */
  async redeem(principal: Principal, code: string): Promise<IdentityLink> {
    this.requireSelf(principal);
    const { journal } = this.deps;
    const now = this.deps.clock();
    // Counted in the journal, so the limit holds across replicas.
    if ((await journal.countLinkFailures(principal, now - WRONG_CODE_WINDOW_MS)) >= WRONG_CODES_ALLOWED)
      throw new RateLimitedError(
        'Too many wrong link codes; please wait a quarter of an hour and try again.',
      );
    const result = await journal.redeemLinkCode({ codeHash: hashLinkCode(code), principal, now });
    if (!result.ok) {
      if (result.reason !== 'same_person') await journal.recordLinkFailure(principal, now);
      if (result.reason === 'same_person') throw new ConflictError(REFUSALS.same_person, 'same_person');
      throw new ValidationError(REFUSALS[result.reason], `link_code_${result.reason}`);
    }
    await this.deps.people.refresh();
    return result.link;
  }

  /** An admin links `principal` into the person of `person`. */
  async link(by: Principal, principal: Principal, person: Principal): Promise<IdentityLink> {
    for (const who of [principal, person]) {
      if (!/^[a-z]+:\S+$/.test(who))
        throw new ValidationError(`"${who}" is not a principal (discord:123, slack:T1:U2…)`);
    }
    this.deps.access.require(
      { actor: by, action: 'link_identity', resource: userResource(principal) },
      `the identity ${principal}`,
    );
    const linked = await this.deps.journal.linkIdentity({ principal, person, by, now: this.deps.clock() });
    await this.deps.people.refresh();
    return linked;
  }

  /** Unlinks `principal` from its person; 404 when it was not linked. */
  async unlink(by: Principal, principal: Principal): Promise<IdentityLink> {
    this.deps.access.require(
      { actor: by, action: 'link_identity', resource: userResource(principal) },
      `the identity ${principal}`,
    );
    const removed = await this.deps.journal.unlinkIdentity({ principal, by, now: this.deps.clock() });
    if (!removed) throw new NotFoundError('linked identity', principal);
    await this.deps.people.refresh();
    return removed;
  }

  private requireSelf(principal: Principal): void {
    this.deps.access.require(
      { actor: principal, action: 'link_identity', resource: userResource(principal) },
      'your own identity',
    );
  }
}
