import type { AccessRequest, AccessRequestState, IdentityLink, Membership } from '../core/people.js';
import type { ConversationRef, OutboxContent, Principal } from '../core/types.js';

/**
 * The journal's people tables (DESIGN.md section 9): access requests of strangers, memberships
 * granted in the journal, linked identities and one-time link codes. Part of every
 * `JournalStore`; each atomic operation is one method, one transaction inside.
 */
export interface PeopleStore {
  /**
   * A stranger's message raises an access request, in one transaction: the platform event is
   * claimed in the inbox (as `claimInboxEvent`), then either the person's pending request is
   * returned as it is (`created: false`, nothing else written) or the new one is stored with its
   * cards in the outbox and an `access.requested` journal event. A claimed event is a duplicate.
   */
  raiseAccessRequest(input: RaiseAccessInput): Promise<RaiseAccessResult>;

  getAccessRequest(id: string): Promise<AccessRequest | null>;

  /** Access requests, newest first. */
  listAccessRequests(query: { state?: AccessRequestState; limit: number }): Promise<AccessRequest[]>;

  /**
   * Decides a pending access request: compare-and-set on `pending` and `expiresAt > now`. An
   * approval grants the membership and accepts the request's message as a run (inbox event
   * `access:<id>`, so it is answered once); both write card updates to the outbox, an
   * `access.approved` / `access.denied` journal event and signal `people`. A decided request
   * throws `ConflictError` with its state; one past its expiry is marked `expired` first.
   */
  decideAccessRequest(input: AccessDecisionInput): Promise<AccessDecisionResult>;

  /** Marks every pending request with `expiresAt <= now` as `expired` (cards updated). */
  expireAccessRequests(now: number): Promise<AccessRequest[]>;

  /** Every membership granted in the journal. */
  listMemberships(): Promise<Membership[]>;

  /** Grants a membership directly (an admin, not a request); journal event `access.granted`. */
  grantMembership(input: {
    principal: Principal;
    group: string;
    by: Principal;
    now: number;
  }): Promise<Membership>;

  /**
   * Revokes the person's journal memberships (of `group`, or all); returns those removed, with a
   * journal event `access.revoked` each. The config's `groups:` are not touched.
   */
  revokeMemberships(input: {
    principal: Principal;
    group?: string;
    by: Principal;
    now: number;
  }): Promise<Membership[]>;

  /** Every linked identity. */
  listIdentityLinks(): Promise<IdentityLink[]>;

  /**
   * Links `principal` to the person of `person` (`person` itself, or whom it is linked to); the
   * identities linked to `principal` follow it. Journal event `identity.linked`, signal `people`.
   * Throws `ConflictError('same_person')` when both already are one person.
   */
  linkIdentity(input: {
    principal: Principal;
    person: Principal;
    by: Principal;
    now: number;
  }): Promise<IdentityLink>;

  /** Removes `principal`'s link; null when it had none. Journal event `identity.unlinked`. */
  unlinkIdentity(input: { principal: Principal; by: Principal; now: number }): Promise<IdentityLink | null>;

  /** Stores a one-time link code (its hash) that `principal` was shown. */
  createLinkCode(input: {
    codeHash: string;
    principal: Principal;
    expiresAt: number;
    now: number;
  }): Promise<void>;

  /** How many link codes `principal` was given since `since` (for the rate limit). */
  countLinkCodes(principal: Principal, since: number): Promise<number>;

  /** Records a wrong, used or expired link code typed by `principal` (the lock-out every replica shares). */
  recordLinkFailure(principal: Principal, now: number): Promise<void>;

  /** How many link failures `principal` had since `since`. */
  countLinkFailures(principal: Principal, since: number): Promise<number>;

  /**
   * Redeems a link code for `principal`: compare-and-set on unused and unexpired, then links
   * `principal` to the person of the code's owner as `linkIdentity` does, in one transaction.
   */
  redeemLinkCode(input: { codeHash: string; principal: Principal; now: number }): Promise<LinkCodeRedemption>;
}

/** Input of `JournalStore.raiseAccessRequest`. */
export interface RaiseAccessInput {
  /** The platform event, claimed in the inbox as `JournalStore.claimInboxEvent` does. */
  claim: { channel: string; eventId: string; now: number };
  request: Omit<AccessRequest, 'state' | 'createdAt' | 'decidedBy' | 'decidedAt' | 'runId' | 'cardReceipt'>;
  /** The cards to post for a new request (approval cards whose subject is `access`). */
  cards: (OutboxContent & { channel: string; conversation: ConversationRef })[];
  now: number;
}

/** Result of `JournalStore.raiseAccessRequest`. */
export type RaiseAccessResult =
  | { duplicate: true }
  | { duplicate: false; request: AccessRequest; created: boolean };

/** Input of `JournalStore.decideAccessRequest`. */
export interface AccessDecisionInput {
  requestId: string;
  decision: 'approved' | 'denied';
  decider: Principal;
  now: number;
}

/** What `decideAccessRequest` wrote: the request, and for an approval the run answering its message. */
export interface AccessDecisionResult {
  request: AccessRequest;
  /** The run that answers the request's message (approved, and the message could be accepted). */
  runId: string | null;
}

/** The outcome of `JournalStore.redeemLinkCode`; nothing is written unless `ok`. */
export type LinkCodeRedemption =
  | { ok: true; link: IdentityLink }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'same_person' };
