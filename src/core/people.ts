/**
 * People beyond the config's `groups:` (DESIGN.md section 9, "People and grants"): access
 * requests of strangers, the group memberships admins granted, and identities of one person on
 * several platforms linked into one principal. All of it lives in the journal.
 */
import type { DeliveryReceipt, InboundMessage, Principal } from './types.js';

/** The states of an access request; like an approval's, without `cancelled`. */
export type AccessRequestState = 'pending' | 'approved' | 'denied' | 'expired';

/**
 * A stranger asked to talk to the agent: admins approve (the person joins `group`) or deny. The
 * message that raised it is kept, and answered once access is granted.
 */
export interface AccessRequest {
  id: string;
  /** Who asked (their person, when their identity is linked). */
  principal: Principal;
  /** The adapter the message came through. */
  channel: string;
  /** The group an approval adds the person to. */
  group: string;
  /** The message that raised the request; accepted as a run when it is approved. */
  message: InboundMessage;
  state: AccessRequestState;
  createdAt: number;
  expiresAt: number;
  decidedBy: Principal | null;
  decidedAt: number | null;
  /** The run that answers `message` after an approval. */
  runId: string | null;
  /** The receipt of the delivered card, so updates edit it in place; null until delivered. */
  cardReceipt: DeliveryReceipt | null;
}

/** A membership granted in the journal (never by editing YAML); it adds to `groups:`. */
export interface Membership {
  principal: Principal;
  group: string;
  grantedBy: Principal;
  grantedAt: number;
  /** The access request it came from, when it came from one. */
  requestId: string | null;
}

/**
 * One identity linked to a person: `principal` acts as `person` for policy and usage. The person
 * is itself an identity (the one linked first) and has no link of its own.
 */
export interface IdentityLink {
  principal: Principal;
  person: Principal;
  linkedBy: Principal;
  linkedAt: number;
}
