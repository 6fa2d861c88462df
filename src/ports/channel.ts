/**
 * The channel port: what a platform adapter (`channels/<name>/`) implements for the core, and the
 * small types that cross that boundary. Platform SDK types never appear here.
 */
import type { ApprovalCard, ConversationRef, DeliveryReceipt, OutboundMessage } from '../core/types.js';

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
  /**
   * The longest arguments preview this platform's card has room for, when it is less than the
   * core's `ARGS_PREVIEW_CHARS`. The core cuts the preview (with a visible marker) to the smaller
   * of the two, so an adapter renders `card.argsPreview` whole and never cuts it again.
   */
  readonly approvalPreviewChars?: number;
  /**
   * Posts an approval card with Approve / Deny buttons. The card's content (preview included) is
   * the core's; the adapter only lays it out.
   */
  presentApproval(card: ApprovalCard): Promise<DeliveryReceipt>;
  /**
   * Edits a posted card in place to show the outcome (buttons gone); `card.receipt` is set. This
   * is the one edit of a card per settlement (decided, expired, cancelled), delivered durably by
   * the outbox's `approval_update`: an adapter does not edit the card when it answers a click.
   */
  updateApproval(card: ApprovalCard): Promise<void>;
  /**
   * Whether `conversation` is private to one person and the bot (a DM): nobody else there could
   * decide an approval, so its card is also shown in the platform's admin conversation when the
   * person may not approve it. Absent: never private.
   */
  isPrivate?(conversation: ConversationRef): boolean;
  /** Shows that a run is working (typing indicator, status line). Best effort, may be absent. */
  showActivity?(conversation: ConversationRef, status: string): Promise<void>;
  /**
   * How often `showActivity` must be called again while a run works, because the platform's
   * indicator lapses (Discord's typing lasts ~10 s, Telegram's ~5 s). Absent: once is enough.
   */
  readonly activityRefreshMs?: number;
  /**
   * Shows the reply while the model writes it: `text` is the Markdown so far. Edits the messages
   * of `shown` (the ids this returned last time, in order) in place and posts more when the text
   * outgrows them; returns the ids now shown. The final text still comes through `send` with
   * these ids as `drafts`. Throws `ChannelError`; the caller keeps to `draftIntervalMs`. `key` is
   * the same for every call of one streamed reply: where the platform dedupes (Discord nonces), a
   * post retried after a lost answer is not posted twice.
   */
  showDraft?(
    conversation: ConversationRef,
    text: string,
    shown: readonly string[],
    key?: string,
  ): Promise<string[]>;
  /** The least time between two draft edits in `conversation` that stays within the platform's rate limits. */
  draftIntervalMs?(conversation: ConversationRef): number;
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
