/**
 * The gateway port: what a channel adapter may call on the core, with its requests and answers.
 * Adapters reach it through `src/index.ts` only.
 */
import type { AccessRequest } from '../core/people.js';
import type { Approval, ApprovalState, ConversationRef, InboundMessage, Principal } from '../core/types.js';
import type { ChannelLogger, WebhookRequest, WebhookResponse } from './channel.js';

/** The answer of `GatewayPort.receive`. */
export type ReceiveResult =
  | { status: 'accepted'; sessionId: string; runId: string }
  /** The same platform event was seen before: do nothing (but ack the platform). */
  | { status: 'duplicate' }
  /** Policy refused: the adapter posts `message` once, politely, and does nothing else. */
  | { status: 'refused'; message: string };

/** A click on Approve / Deny, from any surface. */
export interface DecisionRequest {
  approvalId: string;
  decision: 'approve' | 'deny';
  /**
   * `session` = "approve for this session" (only when the policy allows it); `always` = "Always
   * allow": approve and remember a grant for the tool and the arguments' pattern (`grant_always`).
   */
  scope?: 'once' | 'session' | 'always';
  /** With `always`: who the grant covers (default the requester) and until when (default until revoked). */
  grant?: GrantChoice;
  decider: Principal;
}

/** What "Always allow" covers beyond the tool and its arguments' pattern. */
export interface GrantChoice {
  /** The person who asked (default), anyone in the conversation it came from, or everyone. */
  for?: 'requester' | 'conversation' | 'everyone';
  /** How long it lasts, from the decision; until revoked when absent. */
  expiresInMs?: number;
}

/**
 * The answer to a click. When `ok` is false nothing changed and `message` says why, in words for
 * the person who clicked (shown ephemerally / as an alert).
 */
export type DecisionOutcome = ToolDecisionOutcome | AccessDecisionOutcome;

/** The answer to a click on a tool approval's card. */
export type ToolDecisionOutcome =
  | { ok: true; approval: Approval; message: string }
  | {
      ok: false;
      code: 'forbidden' | 'already_decided' | 'expired' | 'cancelled' | 'not_found' | 'invalid';
      message: string;
      /** The approval's state, when it was no longer pending (told only to someone permitted). */
      state?: ApprovalState;
    };

/**
 * The answer to a click on an access card (the same buttons as an approval's): the request as
 * it now stands, or why nothing changed.
 */
export type AccessDecisionOutcome =
  | { ok: true; accessRequest: AccessRequest; message: string }
  | {
      ok: false;
      code: 'forbidden' | 'already_decided' | 'expired';
      message: string;
      state?: AccessRequest['state'];
    };

/** A slash command, parsed by the adapter into a name and arguments. */
export interface CommandRequest {
  /** `access` and `link` are the people commands (`/access [revoke <who>]`, `/link [code | a b]`). */
  name: 'cancel' | 'usage' | 'status' | 'approvals' | 'new' | 'grants' | 'help' | 'access' | 'link';
  args: string[];
  principal: Principal;
  /** The conversation it was typed in, to find "the current run". */
  sessionKey?: string;
  conversation?: ConversationRef;
  /**
   * The platform's id of this command event (Telegram update, Discord interaction, Slack trigger),
   * deduplicated like a message: a redelivery of the same event is answered once.
   */
  eventId?: string;
}

/** The text answer of a command, shown only to the caller where the platform allows. */
export interface CommandResponse {
  text: string;
  ok: boolean;
  /** The same command event was seen before: say nothing (it was answered the first time). */
  duplicate?: boolean;
}

/**
 * What a channel adapter may call on the core. Adapters import it from `src/index.ts` and never
 * reach further in.
 */
export interface GatewayPort {
  /** Hands over one normalized message. Ack the platform only after this resolves. */
  receive(message: InboundMessage): Promise<ReceiveResult>;
  /**
   * Decides an approval for the person who clicked. Never throws for a refusal. Show the outcome's
   * `message` to the clicker alone (ephemeral, alert) and leave the card as it is: the decision
   * puts an `approval_update` in the outbox, which edits the card through `updateApproval`.
   */
  decideApproval(request: DecisionRequest): Promise<DecisionOutcome>;
  /** Runs a slash command for the caller; authorized by policy. */
  command(request: CommandRequest): Promise<CommandResponse>;
  /** Whether `principal` may talk to the agent at all (the policy's `chat`). */
  mayChat(principal: Principal): boolean;
  /** Serves `handler` at `POST <path>` on the daemon's HTTP server (no admin auth). */
  registerWebhook(path: string, handler: (request: WebhookRequest) => Promise<WebhookResponse>): void;
  /** Records a journal event (channel up/down…). */
  recordEvent(type: string, data: Record<string, unknown>): Promise<void>;
  readonly logger: ChannelLogger;
}
