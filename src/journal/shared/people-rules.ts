/**
 * The people tables as both stores read and write them: rows to domain objects, the outbox items
 * of an access card, and the journal events of grants, revocations and links. No I/O.
 */
import type { AccessRequest, AccessRequestState, IdentityLink, Membership } from '../../core/people.js';
import type { ConversationRef, DeliveryReceipt, InboundMessage } from '../../core/types.js';
import type { NewOutboxItem } from '../store.js';
import type { DecodeJson, JsonColumn, JsonForm } from './rows.js';

/**
 * How long wrong link codes (for the lock-out) and issued link codes (for the hourly limit) are
 * kept: longer than any window they are counted in. Older ones of a person go when they get a new one.
 */
export const LINK_FAILURES_KEPT_MS = 86_400_000;

/** An `access_requests` row. */
export interface AccessRequestRowOf<F extends JsonForm> {
  id: string;
  principal: string;
  channel: string;
  group_name: string;
  message: JsonColumn<F, InboundMessage>;
  state: AccessRequestState;
  created_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  run_id: string | null;
  card_receipt: JsonColumn<F, DeliveryReceipt> | null;
}

/** A `memberships` row. */
export interface MembershipRow {
  principal: string;
  group_name: string;
  granted_by: string;
  granted_at: number;
  request_id: string | null;
}

/** An `identity_links` row. */
export interface IdentityLinkRow {
  principal: string;
  person: string;
  linked_by: string;
  linked_at: number;
}

/** A `link_codes` row. */
export interface LinkCodeRow {
  code_hash: string;
  principal: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

/** The domain object of an `access_requests` row; `decode` reads its JSON column. */
export function toAccessRequest<F extends JsonForm>(
  row: AccessRequestRowOf<F>,
  decode: DecodeJson<F>,
): AccessRequest {
  return {
    id: row.id,
    principal: row.principal,
    channel: row.channel,
    group: row.group_name,
    message: decode<InboundMessage>(row.message),
    state: row.state,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    runId: row.run_id,
    cardReceipt: row.card_receipt === null ? null : decode<DeliveryReceipt>(row.card_receipt),
  };
}

/** The domain object of a `memberships` row. */
export function toMembership(row: MembershipRow): Membership {
  return {
    principal: row.principal,
    group: row.group_name,
    grantedBy: row.granted_by,
    grantedAt: row.granted_at,
    requestId: row.request_id,
  };
}

/** The domain object of an `identity_links` row. */
export function toIdentityLink(row: IdentityLinkRow): IdentityLink {
  return { principal: row.principal, person: row.person, linkedBy: row.linked_by, linkedAt: row.linked_at };
}

/** The outbox item that edits an access card in place once the request is settled. */
export function accessUpdateItem(
  channel: string,
  conversation: ConversationRef,
  requestId: string,
): NewOutboxItem {
  return {
    channel,
    conversation,
    kind: 'approval_update',
    payload: { approvalId: requestId, allowSessionScope: false, subject: 'access' },
  };
}

/** The inbox event id under which an approved request's message is accepted: once, ever. */
export function accessReplayEventId(requestId: string): string {
  return `access:${requestId}`;
}

/** The journal event data of a settled request. */
export function accessSettledData(request: AccessRequest): Record<string, unknown> {
  return {
    requestId: request.id,
    principal: request.principal,
    group: request.group,
    by: request.decidedBy,
    channel: request.channel,
  };
}

/**
 * Whether a message may go to an existing session: it came through the session's channel and
 * device (else the replay of an approved request is skipped rather than refused).
 */
export function boundTo(session: { channel: string; device: string }, message: InboundMessage): boolean {
  return session.channel === message.channel && session.device === message.device;
}

/** Why a redemption failed, from the code's row (undefined when it may be redeemed). */
export function linkCodeRefusal(
  row: LinkCodeRow | undefined,
  now: number,
): 'unknown' | 'used' | 'expired' | undefined {
  if (!row) return 'unknown';
  if (row.used_at !== null) return 'used';
  if (row.expires_at <= now) return 'expired';
  return undefined;
}
