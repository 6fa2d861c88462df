import type {
  Approval,
  ApprovalState,
  ConversationRef,
  DeliveryReceipt,
  InboundMessage,
  JournalEvent,
  OutboxContent,
  OutboxItem,
  Principal,
  Run,
  RunState,
  Session,
  TapeAppend,
  TapeEvent,
  TokenUsage,
  UsageBreakdown,
  UsageQuery,
  UsageRow,
} from '../core/types.js';
import type { GrantDraft, GrantStore } from './grant-store.js';
import type { PeopleStore } from './people-store.js';

/**
 * The durable heart of Switchboard: sessions, runs, tape, approvals, inbox, outbox, journal
 * events and usage. Every method returns a promise (better-sqlite3 is synchronous, PostgreSQL is
 * not) and every method that must be atomic is one method, one transaction inside. Times are
 * milliseconds since the epoch and are passed in by the caller, so tests can use a fake clock.
 *
 * The contract is tested once, in `test/journal/contract.ts`, against every implementation. The
 * people tables (access requests, memberships, linked identities) are `PeopleStore`'s, the
 * grants `GrantStore`'s.
 */
export interface JournalStore extends PeopleStore, GrantStore {
  /** Which implementation this is (`sqlite`, `postgres`). */
  readonly kind: string;

  /** Applies pending versioned migrations. Idempotent. */
  migrate(): Promise<void>;

  /** Closes connections. */
  close(): Promise<void>;

  /** Resolves when the journal is writable (a write inside a rolled-back transaction). */
  healthCheck(): Promise<void>;

  // ── inbound ──────────────────────────────────────────────────────────────────────────

  /**
   * Accepts one inbound message in one transaction: inbox row (unique on channel + eventId),
   * session resolved or created, run row in state `accepted`, tape seq 0 `input`, journal events.
   * A duplicate event returns `{ duplicate: true }` and writes nothing. Throws
   * `SessionBindingError` when the key's session is bound to another channel or device, and
   * `NotFoundError` / `ValidationError` when `sessionId` is unknown or disagrees with the key, or
   * the session is missing and `createSession` is false. On any throw nothing is written.
   */
  acceptInbound(input: AcceptInput): Promise<AcceptResult>;

  /**
   * Records in one transaction that a platform event was handled without starting a run (a
   * refusal, a chat command): an inbox row on the same unique key as `acceptInbound`, with no
   * run. Returns `{ duplicate: true }` and writes nothing when the event was seen before, whether
   * it was claimed or accepted; an `acceptInbound` of a claimed event is a duplicate too.
   */
  claimInboxEvent(input: InboxClaim): Promise<{ duplicate: boolean }>;

  // ── sessions ────────────────────────────────────────────────────────────────────────

  getSession(id: string): Promise<Session | null>;

  /** The open (not reset) session of a key. */
  getSessionByKey(key: string): Promise<Session | null>;

  /** Sessions, newest first. */
  listSessions(query: { limit: number; key?: string }): Promise<Session[]>;

  /**
   * Closes the open session of a key so the next message starts a new one; the old one stays
   * readable. Returns the closed session, or null when the key had none.
   */
  resetSession(key: string, now: number): Promise<Session | null>;

  // ── runs ─────────────────────────────────────────────────────────────────────────────

  getRun(id: string): Promise<Run | null>;

  /** Runs, newest first, filtered. */
  listRuns(query: RunQuery): Promise<Run[]>;

  /**
   * Claims up to `limit` runs to start: each the oldest `accepted` run of a session that has no
   * `running` run, oldest first across sessions. Each claimed run moves to `running` (tape
   * `state` event, journal event) and gets a lease for `owner`. Atomic.
   */
  claimRuns(claim: Claim): Promise<Run[]>;

  /**
   * Takes the lease of one `running` run for `owner` when it is free or expired (to resume it
   * after an approval decision or a take-over). Returns the run, or null when another owner
   * holds a live lease or the run is not `running`.
   */
  leaseRun(runId: string, claim: Omit<Claim, 'limit'>): Promise<Run | null>;

  /** Extends the leases `owner` holds on these runs. Returns the ids still held. */
  renewLeases(runIds: string[], claim: Omit<Claim, 'limit'>): Promise<string[]>;

  /** Drops `owner`'s lease on a run (it is waiting for a human, or done). */
  releaseRun(runId: string, owner: string): Promise<void>;

  /**
   * Commits one step of a run atomically: tape events (seq assigned without gaps), an optional
   * state transition (its own `state` tape event and journal event), outbox items, usage,
   * approvals to create and a journal event. When `expectState` is given and the run is in
   * another state, throws `ConflictError` and writes nothing (so a cancelled run's loop stops).
   * An illegal transition throws `IllegalTransitionError` and writes nothing.
   */
  commitStep(runId: string, step: StepCommit): Promise<StepResult>;

  /**
   * Cancels a run that is not terminal: state `cancelled`, its pending approvals `cancelled`
   * (tape `approval_decision`, card updates in the outbox), journal event. A terminal run throws
   * `ConflictError` carrying its state. Atomic.
   */
  cancelRun(runId: string, by: Principal, reason: string, now: number): Promise<CancelResult>;

  /**
   * After a restart (or a dead replica's lease): every `running` run whose lease is expired (or
   * every one, with `all`) is examined. Runs with a pending approval are left waiting; runs whose
   * last tape event is an `approval_decision` are leased to `owner` and returned to resume; the
   * rest are failed with `reason`, and a notice for the user is put in the outbox. Atomic per run.
   */
  recoverRuns(options: {
    owner: string;
    leaseMs: number;
    now: number;
    reason: string;
    all: boolean;
  }): Promise<{
    failed: Run[];
    resumable: Run[];
  }>;

  // ── tape ─────────────────────────────────────────────────────────────────────────────

  /** The tape of a run, ordered by seq, from `afterSeq + 1`. */
  readTape(runId: string, options?: { afterSeq?: number }): Promise<TapeEvent[]>;

  /**
   * Tape events of a session's most recent runs created before `beforeRunId` (exclusive), for
   * rebuilding context: at most `maxRuns` runs, oldest run first, each run's events in seq order,
   * only the given kinds.
   */
  readSessionHistory(
    sessionId: string,
    options: { beforeRunId: string; maxRuns: number; kinds: readonly TapeEvent['kind'][] },
  ): Promise<TapeEvent[]>;

  // ── approvals ────────────────────────────────────────────────────────────────────────

  getApproval(id: string): Promise<Approval | null>;

  listApprovals(query: ApprovalQuery): Promise<Approval[]>;

  /**
   * Decides a pending approval: compare-and-set on `state = 'pending'` and `expiresAt > now`.
   * Writes the decision, tape `approval_decision`, an `approval_update` outbox item and a journal
   * event. A decided approval throws `ConflictError` carrying its state; a pending one past its
   * expiry is marked `expired` (as `expireApprovals` would) and throws `ConflictError('expired')`.
   */
  decideApproval(decision: ApprovalDecisionInput): Promise<Approval>;

  /** Marks every pending approval with `expiresAt <= now` as `expired`, like a decision. */
  expireApprovals(now: number): Promise<Approval[]>;

  /**
   * The `approved` approvals with scope `session` for this tool in this session, newest first
   * (at most 50): each covers the calls its arguments' pattern covers (`core/arg-pattern.ts`).
   */
  listSessionGrants(sessionId: string, tool: string): Promise<Approval[]>;

  /** The soonest `expiresAt` of a pending approval, to schedule the next expiry check. */
  nextApprovalExpiry(): Promise<number | null>;

  // ── outbox ───────────────────────────────────────────────────────────────────────────

  /**
   * Claims up to `limit` pending outbox items due at `now`, oldest first, leased to `owner`.
   * An `approval_update` is not claimed before its card was delivered.
   */
  claimOutbox(claim: OutboxClaim): Promise<OutboxItem[]>;

  /**
   * Marks an item delivered with the platform's receipt. For an `approval_card` the receipt is
   * also stored on the approval, so later updates edit the card in place.
   */
  completeOutbox(id: string, receipt: DeliveryReceipt, now: number): Promise<void>;

  /**
   * Records what part of a pending item the platform has accepted (the ids of the messages
   * posted so far), so a retry after a crash posts only the rest. The next claim returns it as the
   * item's `receipt`; `completeOutbox` replaces it with the full receipt.
   */
  recordOutboxProgress(id: string, receipt: DeliveryReceipt, now: number): Promise<void>;

  /**
   * Records the messages showing a run's reply while it streams (a draft), or forgets them with
   * null once the final text replaced them. The final reply or notice of the run edits them.
   */
  recordDraft(runId: string, receipt: DeliveryReceipt | null, now: number): Promise<void>;

  /** The messages showing a run's streamed reply, if any. */
  getDraft(runId: string): Promise<DeliveryReceipt | null>;

  /** Records a failed attempt: retried at `retryAt`, or `failed` for good when `retryAt` is null. */
  failOutbox(id: string, error: string, retryAt: number | null, now: number): Promise<void>;

  getOutboxItem(id: string): Promise<OutboxItem | null>;

  listOutbox(query: { runId?: string; state?: OutboxItem['state']; limit: number }): Promise<OutboxItem[]>;

  // ── journal events and usage ─────────────────────────────────────────────────────────

  recordEvent(type: string, data: Record<string, unknown>, now: number): Promise<JournalEvent>;

  /** Journal events, newest first. */
  recentEvents(limit: number): Promise<JournalEvent[]>;

  /** Usage per principal per bucket, oldest bucket first. Runs are counted by creation time. */
  usageSummary(query: UsageQuery): Promise<UsageRow[]>;

  /** Usage over the window by agent and by tool source (the bucket size is ignored). */
  usageBreakdown(query: UsageQuery): Promise<UsageBreakdown>;

  // ── schedules ───────────────────────────────────────────────────────────────────────

  /** The last tick of schedule `name` that was claimed (ms since the epoch), or null for none yet. */
  lastScheduleTick(name: string): Promise<number | null>;

  /**
   * Claims tick `tick` of schedule `name` for `owner`: true when it was later than the last
   * claimed tick (the caller runs it), false when this tick or a later one was claimed already —
   * by this process or another sharing the journal. Atomic, so a tick runs once.
   */
  claimScheduleTick(input: { name: string; tick: number; owner: string; now: number }): Promise<boolean>;

  /** Counts for `/metrics`: runs by state, approvals by state. */
  counts(): Promise<{ runs: Record<RunState, number>; approvals: Record<ApprovalState, number> }>;

  // ── housekeeping (optional) ──────────────────────────────────────────────────────────

  /**
   * Deletes, in one short transaction, at most `limit` rows of one kind older than `before`
   * (`retention:`, DESIGN.md section 9) and returns how many (runs, for `tapes`), so a caller
   * prunes in small batches until fewer than `limit` come back. Nothing a pending approval needs
   * is ever pruned. Absent for a store that keeps everything.
   */
  prune?(request: PruneRequest): Promise<number>;

  /**
   * Gives space freed by pruning back in one bounded step (SQLite's incremental vacuum,
   * PostgreSQL's VACUUM) and returns how much is left to give back (0 when done).
   */
  reclaimSpace?(): Promise<number>;

  // ── several processes on one journal (optional) ──────────────────────────────────────

  /**
   * Subscribes to changes committed by any process sharing the journal (PostgreSQL
   * LISTEN/NOTIFY), so a cancel or a decision taken on one replica reaches the run on another.
   * Absent for a store only one process uses. Returns the unsubscribe function.
   */
  watch?(listener: (signal: JournalSignal) => void): () => void;

  /**
   * Takes or renews the lease of a connection that must be single across processes (a Discord
   * gateway, a Telegram long poller) for `owner` until `now + ttlMs`. True when `owner` holds it:
   * it was free, expired or already `owner`'s. Absent for a store only one process uses.
   */
  acquireSingleton?(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;

  /** Gives up `owner`'s lease on a singleton so a standby can take it at once. */
  releaseSingleton?(name: string, owner: string): Promise<void>;
}

/** What `retention:` bounds: journal events, inbox keys, usage rows, finished runs' tapes. */
export type RetentionKind = 'events' | 'inbox' | 'usage' | 'tapes';

/** Input of `JournalStore.prune`: one batch of one kind. */
export interface PruneRequest {
  kind: RetentionKind;
  /** Rows older than this (ms since the epoch; for tapes: runs finished before it) go. */
  before: number;
  /** At most this many rows (runs, for `tapes`) in this transaction. */
  limit: number;
  now: number;
}

/** A change another process made that this one may have to act on. */
export type JournalSignal =
  | { type: 'run_accepted'; runId: string }
  /** `reason` is said in-process; a signal from another replica has none. */
  | { type: 'run_cancelled'; runId: string; reason?: string }
  | { type: 'approval_decided'; approvalId: string; runId: string }
  | { type: 'outbox' }
  /** A grant was made or revoked: the policy engine's generated permits are reloaded. */
  | { type: 'grants_changed' }
  /** Memberships or linked identities changed: reload them into the policy's groups. */
  | { type: 'people' };

/** Input of `JournalStore.acceptInbound`. */
export interface AcceptInput {
  message: InboundMessage;
  /** When given, must name the key's open session (or a session, when the key is new). */
  sessionId?: string;
  /** Whether a missing session may be created. */
  createSession: boolean;
  now: number;
}

/** Input of `JournalStore.claimInboxEvent`: one platform event, by channel and the platform's id. */
export interface InboxClaim {
  /** The adapter name, as in `InboundMessage.channel`. */
  channel: string;
  /** The platform's id of the event, as in `InboundMessage.eventId`. */
  eventId: string;
  now: number;
}

/** Result of `JournalStore.acceptInbound`. */
export type AcceptResult =
  | { duplicate: false; session: Session; run: Run; sessionCreated: boolean }
  | { duplicate: true; runId: string | null };

/** Filter of `JournalStore.listApprovals`; every given field must match. */
export interface ApprovalQuery {
  state?: ApprovalState;
  runId?: string;
  /** Only the approvals this principal asked for. */
  requester?: Principal;
  limit: number;
}

/** Filter of `JournalStore.listRuns`. */
export interface RunQuery {
  sessionId?: string;
  state?: RunState;
  principal?: Principal;
  limit: number;
}

/** Who claims work and for how long. */
export interface Claim {
  owner: string;
  leaseMs: number;
  now: number;
  limit: number;
}

/**
 * Who claims outbox items. With `channels`, only items of those channels are claimed: a replica
 * that does not hold a singleton channel leaves its items to the one that does. A store used by
 * one process may ignore it, since that process holds every channel.
 */
export interface OutboxClaim extends Claim {
  channels?: readonly string[];
}

/** A new outbox item inside a step: where it goes and what it delivers. */
export type NewOutboxItem = OutboxContent & {
  channel: string;
  conversation: ConversationRef;
};

/** A new approval inside a step; the store assigns nothing but `createdAt`/`state`. */
export interface NewApproval {
  id: string;
  toolCallId: string;
  tool: string;
  args: unknown;
  argsHash: string;
  requester: Principal;
  conversation: ConversationRef;
  expiresAt: number;
}

/** Everything one step of a run writes, atomically. */
export interface StepCommit {
  now: number;
  expectState?: RunState;
  tape?: TapeAppend[];
  transition?: { to: RunState; reason?: string };
  outbox?: NewOutboxItem[];
  /** Token usage to add for the run's principal. */
  usage?: TokenUsage;
  /** A finished tool execution to count for the run's principal. */
  toolExecution?: { ms: number /** `mcp:<server>` for an MCP tool; builtin when absent. */; source?: string };
  approvals?: NewApproval[];
  event?: { type: string; data: Record<string, unknown> };
}

/** What `commitStep` wrote. */
export interface StepResult {
  run: Run;
  tape: TapeEvent[];
}

/** What `cancelRun` changed. */
export interface CancelResult {
  run: Run;
  cancelledApprovals: Approval[];
}

/** Input of `JournalStore.decideApproval`. */
export interface ApprovalDecisionInput {
  approvalId: string;
  decision: 'approved' | 'denied';
  decider: Principal;
  scope: 'once' | 'session';
  now: number;
  reason?: string;
  /**
   * "Always allow": stored with the approval in the same transaction (only when it is approved),
   * linked from its `grantId` and recorded as `grant.created`.
   */
  grant?: GrantDraft;
}

export type { GrantDraft, GrantStore, NewGrant } from './grant-store.js';
export type {
  AccessDecisionInput,
  AccessDecisionResult,
  LinkCodeRedemption,
  RaiseAccessInput,
  RaiseAccessResult,
} from './people-store.js';
