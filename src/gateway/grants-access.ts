/**
 * The gateway's door to grants ("Always allow", DESIGN.md section 9): the grant an approval's
 * "Always allow" makes, the list (`read_grants`) and revocation (`revoke_grant`), each asking
 * Cedar for the acting principal. A change is put in force before the call returns.
 */
import { defaultPattern } from '../core/arg-pattern.js';
import { ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Approval, Grant, GrantScope, Principal } from '../core/types.js';
import type { GrantDraft, JournalStore } from '../journal/store.js';
import { EVERYONE } from '../policy/engine.js';
import type { GrantChoice } from '../ports/gateway.js';
import type { Access } from './access.js';
import type { GrantBook } from './grant-book.js';

/** The longest "Always allow" may be given an expiry for (a year); beyond, leave it unbounded. */
export const MAX_GRANT_MS = 366 * 86_400_000;

/** Grants for the API and chat commands, authorized per call. */
export class GatewayGrants {
  constructor(
    private readonly journal: JournalStore,
    private readonly access: Access,
    /** Absent when the daemon cannot hold grants (a policy engine without extra policies). */
    readonly book: GrantBook | undefined,
    private readonly clock: () => number,
  ) {}

  /**
   * The grant "Always allow" on `approval` makes for `choice`: the tool, the pattern of its
   * arguments (`core/arg-pattern.ts`), who it covers and until when. Throws `ValidationError` for
   * an expiry out of range or a grant the policy set would not validate.
   */
  draft(approval: Approval, choice: GrantChoice = {}): GrantDraft {
    const now = this.clock();
    const expiresIn = choice.expiresInMs;
    if (
      expiresIn !== undefined &&
      (!Number.isInteger(expiresIn) || expiresIn <= 0 || expiresIn > MAX_GRANT_MS)
    )
      throw new ValidationError(`a grant's expiry must be between 1 ms and ${MAX_GRANT_MS} ms away`);
    const scope: GrantScope =
      choice.for === 'everyone'
        ? { kind: 'everyone' }
        : choice.for === 'conversation'
          ? { kind: 'conversation', conversation: approval.conversation }
          : { kind: 'requester', principal: approval.requester };
    const draft: GrantDraft = {
      id: newId(now),
      tool: approval.tool,
      pattern: defaultPattern(approval.tool, approval.args, approval.argsHash),
      scope,
      expiresAt: expiresIn === undefined ? null : now + expiresIn,
    };
    const problems = this.book?.check(draft) ?? ['this daemon cannot hold grants'];
    if (problems.length > 0) throw new ValidationError(`the grant does not validate: ${problems.join('; ')}`);
    return draft;
  }

  /** The active grants (or every one, revoked and expired too), newest first, for `read_grants`. */
  async list(by: Principal, options: { includeInactive?: boolean } = {}): Promise<Grant[]> {
    this.access.require({ actor: by, action: 'read_grants', resource: EVERYONE }, 'the grants');
    return this.journal.listGrants({ now: this.clock(), ...options });
  }

  /** Revokes a grant for `revoke_grant`; its calls ask again as soon as this returns. */
  async revoke(id: string, by: Principal): Promise<Grant> {
    this.access.require({ actor: by, action: 'revoke_grant', resource: EVERYONE }, 'grants');
    const grant = await this.journal.revokeGrant(id, by, this.clock());
    await this.book?.drop(grant.id);
    return grant;
  }
}
