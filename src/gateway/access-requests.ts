import type { ChannelAccess } from '../config/access-schema.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AccessRequest, IdentityLink, Membership } from '../core/people.js';
import type { InboundMessage, Principal } from '../core/types.js';
import type { JournalStore, NewOutboxItem } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { AccessDecisionOutcome, DecisionRequest } from '../ports/gateway.js';
import type { Wakeups } from '../runtime/wakeups.js';
import { type Access, NOT_LET_IN } from './access.js';
import type { PeopleDirectory } from './people-directory.js';
import { EVERYONE, userResource } from './resources.js';

/** The polite answer to a stranger whose message raised an access request. */
export const ACCESS_REQUESTED =
  'Sorry, you are not on the list of people who may talk to me here yet. I have asked an admin to let you in, and I will answer this message once they do.';

/** The answer to a stranger who writes again while their request waits. */
export const ACCESS_PENDING =
  'Sorry, your request to talk to me is still waiting for an admin. I will answer your first message once they let you in.';

/** What the access desk is built from. */
export interface AccessDeskDeps {
  journal: JournalStore;
  access: Access;
  people: PeopleDirectory;
  wakeups: Wakeups;
  clock: () => number;
  logger: Logger;
  /** How each channel treats strangers (`channels.<name>.access`); absent: refuse. */
  channelAccess: ReadonlyMap<string, ChannelAccess>;
  /** How long a request waits for a decision (`approvals.timeout`). */
  timeoutMs: number;
}

/** Everything `/access` and `GET /v1/access` show. */
export interface AccessOverview {
  pending: AccessRequest[];
  memberships: Membership[];
  links: IdentityLink[];
}

/**
 * Access requests and the memberships they grant (DESIGN.md section 9): a stranger's message
 * raises one request with a card to the platform's admin conversation and the console; Approve
 * adds the person to the channel's group at once (journal, then the policy's groups) and answers
 * the message; every door asks Cedar (`decide_access`, `read_access`, `revoke_access`).
 */
export class AccessDesk {
  constructor(private readonly deps: AccessDeskDeps) {}

  /**
   * The answer to a stranger's message: where the channel says `request`, raises (or finds) their
   * access request in the same transaction that claims the event. `duplicate` when the event was
   * seen before (say nothing again).
   */
  async refuse(message: InboundMessage): Promise<{ duplicate: boolean; text: string }> {
    const { journal, clock } = this.deps;
    const claim = { channel: message.channel, eventId: message.eventId, now: clock() };
    const settings = this.deps.channelAccess.get(message.channel);
    if (settings?.mode !== 'request') {
      const seen = await journal.claimInboxEvent(claim);
      return { duplicate: seen.duplicate, text: NOT_LET_IN };
    }
    const now = clock();
    const id = newId(now);
    const where = settings.adminConversation;
    const cards: NewOutboxItem[] = where
      ? [
          {
            channel: where.platform,
            conversation: where,
            kind: 'approval_card',
            payload: { approvalId: id, allowSessionScope: false, subject: 'access' },
          },
        ]
      : [];
    const raised = await journal.raiseAccessRequest({
      claim,
      request: {
        id,
        principal: message.principal,
        channel: message.channel,
        group: settings.group,
        message,
        expiresAt: now + this.deps.timeoutMs,
      },
      cards,
      now,
    });
    if (raised.duplicate) return { duplicate: true, text: '' };
    if (raised.created) {
      this.deps.logger.info({ requestId: id, principal: message.principal }, 'access requested');
      this.deps.wakeups.announce({ type: 'outbox' });
    }
    return { duplicate: false, text: raised.created ? ACCESS_REQUESTED : ACCESS_PENDING };
  }

  /**
   * Decides an access request for the person who clicked (or the API caller). Asked as
   * `decide_access` on the person let in before the state is told; a second click, an expired
   * request or one already decided is refused with why, and nothing changes.
   */
  async decide(request: DecisionRequest, accessRequest: AccessRequest): Promise<AccessDecisionOutcome> {
    const { journal, access, clock, wakeups, people } = this.deps;
    const decider = request.decider;
    if (
      !access.allows({
        actor: decider,
        action: 'decide_access',
        resource: userResource(accessRequest.principal),
      })
    )
      return { ok: false, code: 'forbidden', message: "You can't let people in or turn them away." };
    try {
      const decided = await journal.decideAccessRequest({
        requestId: accessRequest.id,
        decision: request.decision === 'approve' ? 'approved' : 'denied',
        decider,
        now: clock(),
      });
      if (decided.request.state === 'approved') await people.refresh();
      wakeups.announce({ type: 'outbox' });
      if (decided.runId) wakeups.announce({ type: 'run_accepted', runId: decided.runId });
      const verb =
        decided.request.state === 'approved'
          ? `Let in by ${decider}: ${accessRequest.principal} is now in ${accessRequest.group}.`
          : `Turned away by ${decider}.`;
      return { ok: true, accessRequest: decided.request, message: verb };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (error.code === 'expired') wakeups.announce({ type: 'outbox' });
      const current = await journal.getAccessRequest(accessRequest.id);
      return refusalOf(current ?? accessRequest, error.code === 'expired');
    }
  }

  /** Pending requests, granted memberships and linked identities, for `read_access`. */
  async overview(by: Principal, limit = 100): Promise<AccessOverview> {
    this.deps.access.require({ actor: by, action: 'read_access', resource: EVERYONE }, 'who was let in');
    const { journal } = this.deps;
    const [pending, memberships, links] = await Promise.all([
      journal.listAccessRequests({ state: 'pending', limit }),
      journal.listMemberships(),
      journal.listIdentityLinks(),
    ]);
    const now = this.deps.clock();
    return { pending: pending.filter((r) => r.expiresAt > now), memberships, links };
  }

  /** One access request, for `read_access`. */
  async get(by: Principal, id: string): Promise<AccessRequest> {
    this.deps.access.require({ actor: by, action: 'read_access', resource: EVERYONE }, 'access requests');
    const found = await this.deps.journal.getAccessRequest(id);
    if (!found) throw new NotFoundError('access request', id);
    return found;
  }

  /** Lets `principal` into `group` directly (`decide_access`), with a journal event. */
  async grant(by: Principal, principal: Principal, group: string): Promise<Membership> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(group)) throw new ValidationError(`"${group}" is not a group name`);
    const who = this.deps.people.personOf(principal);
    this.deps.access.require(
      { actor: by, action: 'decide_access', resource: userResource(who) },
      `access of ${who}`,
    );
    const granted = await this.deps.journal.grantMembership({
      principal: who,
      group,
      by,
      now: this.deps.clock(),
    });
    await this.deps.people.refresh();
    return granted;
  }

  /**
   * Takes back what the journal granted `principal` (every identity of their person; one group or
   * all), with a journal event each; the config's `groups:` stay as they are. 404 when nothing
   * was granted.
   */
  async revoke(by: Principal, principal: Principal, group?: string): Promise<Membership[]> {
    const who = this.deps.people.personOf(principal);
    this.deps.access.require(
      { actor: by, action: 'revoke_access', resource: userResource(who) },
      `access of ${who}`,
    );
    const removed: Membership[] = [];
    for (const identity of this.deps.people.identitiesOf(who)) {
      removed.push(
        ...(await this.deps.journal.revokeMemberships({
          principal: identity,
          ...(group !== undefined ? { group } : {}),
          by,
          now: this.deps.clock(),
        })),
      );
    }
    if (removed.length === 0) throw new NotFoundError('membership granted to', who);
    await this.deps.people.refresh();
    return removed;
  }
}

/** Why a click on a settled or expired request changed nothing. */
function refusalOf(request: AccessRequest, expired: boolean): AccessDecisionOutcome {
  if (expired || request.state === 'expired')
    return { ok: false, code: 'expired', state: 'expired', message: 'This access request expired.' };
  return {
    ok: false,
    code: 'already_decided',
    state: request.state,
    message: `This access request was already ${request.state}${request.decidedBy ? ` by ${request.decidedBy}` : ''}.`,
  };
}
