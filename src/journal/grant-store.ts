import type { ArgPattern, Grant, GrantScope, Principal } from '../core/types.js';

/**
 * The journal's grants ("Always allow", DESIGN.md section 9): remembered approvals, each one
 * generated Cedar permit. Part of every `JournalStore`; a grant made on a card is stored by
 * `decideApproval` with its approval, in one transaction.
 */
export interface GrantStore {
  /** Stores a grant made other than by a card (the API) and records `grant.created`. */
  createGrant(grant: NewGrant): Promise<Grant>;

  getGrant(id: string): Promise<Grant | null>;

  /**
   * Grants newest first: only those active at `now` (not revoked, not expired), or with
   * `includeInactive` every one.
   */
  listGrants(query: { now: number; includeInactive?: boolean; limit?: number }): Promise<Grant[]>;

  /**
   * Revokes a grant and records `grant.revoked`. Throws `NotFoundError`, or `ConflictError`
   * (`already_revoked`) when it was revoked before.
   */
  revokeGrant(id: string, by: Principal, now: number): Promise<Grant>;
}

/** Input of `GrantStore.createGrant`. */
export interface NewGrant {
  /** A ULID. */
  id: string;
  tool: string;
  pattern: ArgPattern;
  scope: GrantScope;
  createdBy: Principal;
  expiresAt: number | null;
  approvalId: string | null;
  now: number;
}

/** A grant as "Always allow" on a card makes it, before the decision stores it. */
export type GrantDraft = Omit<NewGrant, 'now' | 'approvalId' | 'createdBy'>;
