import type {
  Approval,
  ApprovalCard,
  ApprovalState,
  ConversationRef,
  DeliveryReceipt,
  InboundMessage,
  OutboundMessage,
  Principal,
} from '../core/types.js';

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
  /** `session` = "approve for this session" (only when the policy allows it). */
  scope?: 'once' | 'session';
  decider: Principal;
}

/**
 * The answer to a click. When `ok` is false nothing changed and `message` says why, in words for
 * the person who clicked (shown ephemerally / as an alert).
 */
export type DecisionOutcome =
  | { ok: true; approval: Approval; message: string }
  | {
      ok: false;
      code: 'forbidden' | 'already_decided' | 'expired' | 'cancelled' | 'not_found';
      message: string;
      /** The approval's state, when it was no longer pending (told only to someone permitted). */
      state?: ApprovalState;
    };

/** A slash command, parsed by the adapter into a name and arguments. */
export interface CommandRequest {
  name: 'cancel' | 'usage' | 'status' | 'approvals' | 'help';
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

/** An HTTP request forwarded to a channel's webhook (Slack events, Telegram webhook). */
export interface WebhookRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body bytes, for signature checks. */
  rawBody: Buffer;
}

/** A channel webhook's answer. */
export interface WebhookResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Minimal structured logger handed to adapters (pino's shape). */
export interface ChannelLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/**
 * What a channel adapter may call on the core. Adapters import it from `src/index.ts` and never
 * reach further in.
 */
export interface GatewayPort {
  /** Hands over one normalized message. Ack the platform only after this resolves. */
  receive(message: InboundMessage): Promise<ReceiveResult>;
  /** Decides an approval for the person who clicked. Never throws for a refusal. */
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

/** A file downloaded by a channel for the core. */
export interface FetchedFile {
  data: Buffer;
  mimeType?: string;
}

/** Whether a delivery error is worth retrying. */
export type ChannelErrorKind = 'rate_limited' | 'transient' | 'permanent';

/**
 * Thrown by adapters when a delivery fails, mapped from platform codes at the adapter boundary so
 * numbers like 429 or 50035 never leak into the core. The outbox retries `rate_limited` after
 * `retryAfterMs` and `transient` with back-off; `permanent` fails the item.
 */
export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChannelError';
  }
}

/**
 * A connected platform. The outbox dispatcher calls `send`, `presentApproval` and
 * `updateApproval`; they split text to the platform's limits and never truncate silently.
 */
export interface Channel {
  /** The adapter name used in `InboundMessage.channel` and `ConversationRef.platform`. */
  readonly name: string;
  /**
   * True when only one replica may hold this channel's connection at a time (a Discord gateway
   * shard, a Telegram long poller). With several replicas on one journal, the daemon starts it on
   * the replica holding its singleton lease and moves it when that replica dies.
   */
  readonly singleton?: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts a reply or notice; returns the ids of the posted messages. */
  send(message: OutboundMessage): Promise<DeliveryReceipt>;
  /** Posts an approval card with Approve / Deny buttons. */
  presentApproval(card: ApprovalCard): Promise<DeliveryReceipt>;
  /** Edits a posted card in place to show the outcome (buttons gone). `card.receipt` is set. */
  updateApproval(card: ApprovalCard): Promise<void>;
  /** Shows that a run is working (typing indicator, status line). Best effort, may be absent. */
  showActivity?(conversation: ConversationRef, status: string): Promise<void>;
  /**
   * Downloads an attachment this platform serves only with its credentials (Slack `url_private`,
   * Telegram file ids). Returns undefined for a URL that is not the platform's, so the core fetches
   * it itself. Throws `ChannelError` when the file cannot be had; never puts a token in a message.
   */
  fetchAttachment?(
    url: string,
    limits: { maxBytes: number; signal: AbortSignal },
  ): Promise<FetchedFile | undefined>;
}
