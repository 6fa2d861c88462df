/**
 * Domain types shared by every layer of Switchboard. Pure data: no I/O, no platform SDK types.
 * The vocabulary follows DESIGN.md section 2.
 */

/** Who acts: `discord:<userId>`, `slack:<teamId>:<userId>`, `telegram:<userId>`, `console:<name>`. */
export type Principal = string;

/** The lifecycle of a run; see `core/run-state.ts` for the legal moves. */
export type RunState = 'accepted' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Terminal run states never change again. */
export const TERMINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled'];

/** The kinds of event a run's tape may hold. */
export const TAPE_KINDS = [
  'input',
  'provider_request',
  'provider_response',
  'tool_call',
  'tool_output',
  'approval_request',
  'approval_decision',
  'reply',
  'state',
  'error',
  /** The model's summary of earlier turns that no longer fit the context (compaction). */
  'summary',
] as const;

/** One kind of tape event. */
export type TapeKind = (typeof TAPE_KINDS)[number];

/** Where a reply goes: platform, workspace, channel and thread. Stored as JSON on sessions and runs. */
export interface ConversationRef {
  /** Channel adapter name: `console`, `discord`, `slack`, `telegram`. */
  platform: string;
  /** Guild / team id, when the platform has one. */
  workspace?: string;
  /** Channel / chat id (for a DM, the DM channel id). */
  channel: string;
  /** Thread id / thread_ts / forum topic id, when the conversation is a thread. */
  thread?: string;
}

/** Metadata of a file a person attached; the gateway fetches it within limits. */
export interface Attachment {
  name: string;
  url: string;
  mimeType?: string;
  size?: number;
}

/** Delivery information carried with an inbound event (Bolt's ReceiverEvent, Discord resume...). */
export interface DeliveryInfo {
  retryNum?: number;
  retryReason?: string;
}

/** A message normalized by a channel adapter and handed to `gateway.receive`. */
export interface InboundMessage {
  /** Channel adapter name (`console`, `discord`, `slack`, `telegram`). */
  channel: string;
  /** The platform's id for this event; the inbox dedupes on `(channel, eventId)`. */
  eventId: string;
  /** The adapter instance the message came through, e.g. `discord:<applicationId>`. */
  device: string;
  /** Who sent it. */
  principal: Principal;
  /** A human-readable name of the sender, for cards and logs. */
  displayName?: string;
  /** Human-readable session alias derived by the adapter from the conversation and its scope. */
  sessionKey: string;
  /** Where the reply goes. */
  conversation: ConversationRef;
  /** The text, with the bot mention already stripped by the adapter. */
  text: string;
  attachments?: Attachment[];
  delivery?: DeliveryInfo;
  /**
   * The agent a new session gets; the gateway sets it from `bindings:` (adapters leave it out).
   * A message to an existing session is answered by that session's agent.
   */
  agent?: string;
}

/** A durable conversation with the agent; runs belong to a session. */
export interface Session {
  id: string;
  key: string;
  channel: string;
  device: string;
  conversation: ConversationRef;
  createdAt: number;
  /** When set, the session was reset: the key now points at a newer session; this one stays readable. */
  closedAt: number | null;
  /** The agent a binding chose when the session began; null for sessions from before (the default agent). */
  agent: string | null;
}

/** One request → answer cycle inside a session. */
export interface Run {
  id: string;
  sessionId: string;
  state: RunState;
  principal: Principal;
  channel: string;
  conversation: ConversationRef;
  /** The input text (also tape seq 0). */
  text: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Why the run failed or was cancelled. */
  reason: string | null;
  /** The agent answering: its session's; null for runs from before agents were routed (the default). */
  agent: string | null;
}

/** One append-only event of a run. `seq` runs 0,1,2… with no gaps per run. */
export interface TapeEvent {
  runId: string;
  seq: number;
  kind: TapeKind;
  /** Milliseconds since the epoch. */
  at: number;
  body: unknown;
}

/** A tape event not yet written; the store assigns `seq` and `at`. */
export interface TapeAppend {
  kind: TapeKind;
  body: unknown;
}

/** The lifecycle of an approval. */
export type ApprovalState = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

/** A pending or decided human decision on one tool call. */
export interface Approval {
  id: string;
  runId: string;
  sessionId: string;
  state: ApprovalState;
  /** The model's tool call id this approval is about. */
  toolCallId: string;
  tool: string;
  args: unknown;
  /** sha256 of the canonical JSON of `args`: what runs is what was approved. */
  argsHash: string;
  requester: Principal;
  conversation: ConversationRef;
  createdAt: number;
  expiresAt: number;
  decidedBy: Principal | null;
  decidedAt: number | null;
  /** `session` when the approver chose "approve for this session". */
  scope: 'once' | 'session';
  reason: string | null;
  /** The receipt of the delivered card, so updates edit it in place; null until delivered. */
  cardReceipt: DeliveryReceipt | null;
  /** The grant made when the approver chose "Always allow"; null otherwise. */
  grantId: string | null;
}

/**
 * Which later calls of a tool a grant covers (`core/arg-pattern.ts`): exactly these arguments
 * (their hash), or any simple shell command running this program.
 */
export type ArgPattern = { kind: 'exact'; argsHash: string } | { kind: 'program'; program: string };

/** Who a grant lets call the tool without asking: the requester, anyone in a conversation, everyone. */
export type GrantScope =
  | { kind: 'requester'; principal: Principal }
  | { kind: 'conversation'; conversation: ConversationRef }
  | { kind: 'everyone' };

/**
 * A remembered approval ("Always allow", DESIGN.md section 9): a generated Cedar `permit` of one
 * tool bound to an argument pattern and a scope, stored in the journal. Active while it is neither
 * revoked nor past `expiresAt`.
 */
export interface Grant {
  /** A ULID. */
  id: string;
  tool: string;
  pattern: ArgPattern;
  scope: GrantScope;
  createdBy: Principal;
  createdAt: number;
  /** When it stops covering calls; null = until revoked. */
  expiresAt: number | null;
  /** The approval whose "Always allow" made it; null when made otherwise. */
  approvalId: string | null;
  revokedAt: number | null;
  revokedBy: Principal | null;
}

/**
 * What an outbox item delivers, by `kind`: the text of a reply or notice, or the approval whose
 * card is posted or edited. A card is rendered from the approval's current row at delivery time,
 * so an update always shows the latest outcome.
 */
export type OutboxContent =
  | { kind: 'reply'; payload: TextPayload }
  | { kind: 'notice'; payload: TextPayload }
  | { kind: 'approval_card'; payload: ApprovalPayload }
  | { kind: 'approval_update'; payload: ApprovalPayload }
  | { kind: 'file'; payload: FilePayload };

/** What the outbox delivers. */
export type OutboxKind = OutboxContent['kind'];

/** A durable delivery to a channel, retried until delivered; its content is typed by `kind`. */
export type OutboxItem = OutboxContent & OutboxDelivery;

/** The delivery state of an outbox item, whatever it delivers. */
export interface OutboxDelivery {
  id: string;
  runId: string | null;
  channel: string;
  conversation: ConversationRef;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  /** The platform's reference of what was posted (message ids), for later edits. */
  receipt: DeliveryReceipt | null;
}

/** Outbox payload of a reply or notice. */
export interface TextPayload {
  text: string;
}

/**
 * Outbox payload of a file sent back to the chat (`send_file`): where it is in the run's
 * workspace and what it was when the agent chose it. Read at delivery time; the bytes never go
 * into the journal.
 */
export interface FilePayload {
  /** Path relative to the workspace folder. */
  path: string;
  /** The file name the chat shows. */
  name: string;
  /** Size in bytes when it was chosen; a file that changed size since is not sent. */
  size: number;
  mimeType?: string;
  /** A short text shown with the file. */
  caption?: string;
}

/** Outbox payload of an approval card or its update. */
export interface ApprovalPayload {
  approvalId: string;
  allowSessionScope: boolean;
  /** What the card asks about: a tool call (absent) or an access request (`approvalId` is its id). */
  subject?: 'access';
}

/** What an adapter returns after posting: enough to edit or dedupe the message later. */
export interface DeliveryReceipt {
  /** The platform message ids posted, in order (several when a reply was split). */
  messageIds: string[];
}

/** A file delivered to a chat, read from the workspace by the outbox. */
export interface OutboundFile {
  name: string;
  data: Buffer;
  mimeType?: string;
}

/** A reply or notice to post in a conversation. Adapters split it to the platform's limits. */
export interface OutboundMessage {
  conversation: ConversationRef;
  text: string;
  /** The outbox id; adapters may use it as an idempotency key. */
  idempotencyKey?: string;
  /** Only the given principal should see it, where the platform allows (ephemeral). */
  ephemeralTo?: Principal;
  /**
   * Which delivery attempt this is, 1 for the first. A later attempt may follow a crash after the
   * platform accepted a part and before that was recorded: an adapter that can look (Slack message
   * metadata) checks what is already posted before posting again.
   */
  attempt?: number;
  /** Ids of the parts earlier attempts posted and recorded durably, in order: post only the rest. */
  delivered?: string[];
  /** Records durably the ids of the parts posted so far; an adapter calls it after each part. */
  recordProgress?: (messageIds: string[]) => Promise<void>;
  /** A file to attach (the text is its caption); `Channel.send` posts it as a real attachment. */
  file?: OutboundFile;
  /**
   * Messages that show this run's reply while it was streamed (`Channel.showDraft`), in order:
   * edit them into the final text instead of posting anew, and remove any left over.
   */
  drafts?: string[];
}

/** The content of an approval card, rendered by each adapter with its own buttons. */
export interface ApprovalCard {
  approvalId: string;
  runId: string;
  conversation: ConversationRef;
  requester: Principal;
  tool: string;
  /** Arguments rendered as JSON and safely truncated. */
  argsPreview: string;
  expiresAt: number;
  state: ApprovalState;
  decidedBy: Principal | null;
  /** Whether "approve for this session" may be offered. */
  allowSessionScope: boolean;
  /**
   * "Always allow", when offered: the later calls its grant would cover, in words
   * (`describePattern`), for the card to show beside the button.
   */
  alwaysCovers?: string;
  /** The grant "Always allow" made, once decided that way. */
  grantId?: string;
  /** On an update: the receipt of the card to edit in place. */
  receipt?: DeliveryReceipt;
  /**
   * Set when the card asks to let a stranger in rather than to run a tool: which group Approve
   * adds them to and what they wrote. `tool` and `argsPreview` are then empty.
   */
  access?: { group: string; text: string };
}

/** One entry of the daemon-wide audit log. */
export interface JournalEvent {
  id: string;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/** Token usage of one provider call. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** What usage counts: tokens, runs, tool executions and their time. */
export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  runs: number;
  toolExecutions: number;
  toolMs: number;
}

/** One row of a usage summary: a principal in a time bucket. */
export interface UsageRow extends UsageTotals {
  principal: Principal;
  /** Start of the bucket, ms since the epoch. */
  bucketStart: number;
}

/** Usage of one agent over a window. */
export interface AgentUsage extends UsageTotals {
  /** Null for runs from before agents were routed (the default agent). */
  agent: string | null;
}

/** Tool executions and their time for one tool source (`builtin`, `mcp:<server>`). */
export interface ToolSourceUsage {
  source: string;
  executions: number;
  ms: number;
}

/** Usage over a window by agent and by tool source (MCP server). */
export interface UsageBreakdown {
  agents: AgentUsage[];
  toolSources: ToolSourceUsage[];
}

/** A usage query: optional principal filter, half-open window [since, until), bucket size. */
export interface UsageQuery {
  principal?: Principal;
  since?: number;
  until?: number;
  bucket: 'hour' | 'day';
}
