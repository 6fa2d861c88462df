import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError } from '../../core/errors.js';
import type { AccessRequest, AccessRequestState, IdentityLink, Membership } from '../../core/people.js';
import type {
  Approval,
  ApprovalState,
  DeliveryReceipt,
  Grant,
  JournalEvent,
  OutboxItem,
  Principal,
  Run,
  RunState,
  Session,
  TapeEvent,
  UsageBreakdown,
  UsageQuery,
  UsageRow,
} from '../../core/types.js';
import { expiredError } from '../shared/approval-rules.js';
import { type RecoverOptions, tallyRecoveries } from '../shared/run-rules.js';
import { countByState, toUsageBreakdown, toUsageRow, usageSummaryParams } from '../shared/usage.js';
import type {
  AcceptInput,
  AcceptResult,
  AccessDecisionInput,
  AccessDecisionResult,
  ApprovalDecisionInput,
  ApprovalQuery,
  CancelResult,
  Claim,
  InboxClaim,
  JournalStore,
  LinkCodeRedemption,
  NewGrant,
  PruneRequest,
  RaiseAccessInput,
  RaiseAccessResult,
  RunQuery,
  StepCommit,
  StepResult,
} from '../store.js';
import { decideApproval, expireApprovals } from './approvals.js';
import { getGrant, insertGrant, listGrants, revokeGrant } from './grants.js';
import { acceptInbound, claimInboxEvent, resetSession } from './inbound.js';
import { applyMigrations } from './migrations.js';
import { claimOutbox, completeOutbox, failOutbox, recordDraft, recordOutboxProgress } from './outbox.js';
import * as people from './people.js';
import { preparePruning } from './prune.js';
import { toApproval, toJournalEvent, toOutboxItem, toRun, toSession, tupleToTapeEvent } from './rows.js';
import {
  cancelRun,
  claimRuns,
  commitStep,
  leaseRun,
  recoverableRunIds,
  recoverRun,
  releaseRun,
  renewLeases,
} from './runs.js';
import { type JournalContext, prepareStatements } from './statements.js';
import { recordEvent } from './writes.js';

/** Options of `openSqliteJournal`. */
export interface SqliteJournalOptions {
  /** Database file (its folder is created), or `:memory:`. */
  path: string;
  /**
   * `NORMAL` (default): in WAL mode a commit survives a crash of the daemon and the database is
   * never corrupted; only a power loss or OS crash may drop the last few commits, which the
   * platforms' own redelivery largely covers, while each commit skips an fsync. `FULL` fsyncs
   * every commit, for operators who need durability against power loss too.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

/** Thrown inside the health probe's transaction to roll it back. */
const ROLLBACK = Symbol('health probe rollback');

/** Wraps an operation in a transaction created once and always begun with `BEGIN IMMEDIATE`. */
function writer<A extends unknown[], R>(
  db: Database.Database,
  ctx: JournalContext,
  fn: (ctx: JournalContext, ...args: A) => R,
): (...args: A) => R {
  const tx = db.transaction((...args: A) => fn(ctx, ...args));
  return (...args: A) => tx.immediate(...args) as R;
}

/** Every write operation of the journal as a prepared `BEGIN IMMEDIATE` transaction. */
function createWriters(db: Database.Database, ctx: JournalContext) {
  return {
    acceptInbound: writer(db, ctx, acceptInbound),
    claimInboxEvent: writer(db, ctx, claimInboxEvent),
    resetSession: writer(db, ctx, resetSession),
    claimRuns: writer(db, ctx, claimRuns),
    leaseRun: writer(db, ctx, leaseRun),
    renewLeases: writer(db, ctx, renewLeases),
    releaseRun: writer(db, ctx, releaseRun),
    commitStep: writer(db, ctx, commitStep),
    cancelRun: writer(db, ctx, cancelRun),
    recoverRun: writer(db, ctx, recoverRun),
    decideApproval: writer(db, ctx, decideApproval),
    expireApprovals: writer(db, ctx, expireApprovals),
    insertGrant: writer(db, ctx, insertGrant),
    revokeGrant: writer(db, ctx, revokeGrant),
    claimOutbox: writer(db, ctx, claimOutbox),
    completeOutbox: writer(db, ctx, completeOutbox),
    recordOutboxProgress: writer(db, ctx, recordOutboxProgress),
    recordDraft: writer(db, ctx, recordDraft),
    failOutbox: writer(db, ctx, failOutbox),
    recordEvent: writer(db, ctx, recordEvent),
    healthProbe: writer(db, ctx, (c: JournalContext) => {
      recordEvent(c, 'health.probe', {}, Date.now());
      throw ROLLBACK;
    }),
  };
}

type Writers = ReturnType<typeof createWriters>;

/** The people tables' write operations, each a `BEGIN IMMEDIATE` transaction. */
function createPeopleWriters(db: Database.Database, ctx: JournalContext) {
  return {
    raiseAccessRequest: writer(db, ctx, people.raiseAccessRequest),
    decideAccessRequest: writer(db, ctx, people.decideAccessRequest),
    expireAccessRequests: writer(db, ctx, people.expireAccessRequests),
    grantMembership: writer(db, ctx, people.grantMembership),
    revokeMemberships: writer(db, ctx, people.revokeMemberships),
    linkIdentity: writer(db, ctx, people.linkIdentity),
    unlinkIdentity: writer(db, ctx, people.unlinkIdentity),
    createLinkCode: writer(db, ctx, people.createLinkCode),
    redeemLinkCode: writer(db, ctx, people.redeemLinkCode),
    recordLinkFailure: writer(db, ctx, people.recordLinkFailure),
  };
}

/**
 * The embedded journal on one better-sqlite3 connection (one writer; WAL lets readers proceed).
 * Every write is one `BEGIN IMMEDIATE` transaction, so seq numbers and compare-and-sets are
 * decided under the write lock. Create it with `openSqliteJournal`.
 */
export class SqliteJournal implements JournalStore {
  /** Always `sqlite`. */
  readonly kind = 'sqlite';
  /** The database file, or `:memory:`. */
  readonly path: string;
  private readonly db: Database.Database;
  private readonly ctx: JournalContext;
  private readonly tx: Writers;
  private readonly peopleTx: ReturnType<typeof createPeopleWriters>;
  private readonly pruning: ReturnType<typeof preparePruning>;

  /** Opens `path`, sets the pragmas, applies migrations and prepares every statement. */
  constructor(options: SqliteJournalOptions) {
    this.path = options.path;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path, { timeout: 5000 });
    try {
      // Only takes effect on a new file (before its first table): space freed by retention is then
      // given back step by step. An older file keeps reusing its free pages (README: Retention).
      db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      applyMigrations(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.db = db;
    const ctx: JournalContext = { db, st: prepareStatements(db) };
    this.ctx = ctx;
    this.tx = createWriters(db, ctx);
    this.peopleTx = createPeopleWriters(db, ctx);
    this.pruning = preparePruning(db);
  }

  async migrate(): Promise<void> {
    applyMigrations(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async healthCheck(): Promise<void> {
    try {
      this.tx.healthProbe();
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
  }

  async acceptInbound(input: AcceptInput): Promise<AcceptResult> {
    return this.tx.acceptInbound(input);
  }

  async claimInboxEvent(input: InboxClaim): Promise<{ duplicate: boolean }> {
    return this.tx.claimInboxEvent(input);
  }

  async getSession(id: string): Promise<Session | null> {
    const row = this.ctx.st.sessionById.get(id);
    return row ? toSession(row) : null;
  }

  async getSessionByKey(key: string): Promise<Session | null> {
    const row = this.ctx.st.openSessionByKey.get(key);
    return row ? toSession(row) : null;
  }

  async listSessions(query: { limit: number; key?: string }): Promise<Session[]> {
    return this.ctx.st.listSessions.all({ key: query.key ?? null, limit: query.limit }).map(toSession);
  }

  async resetSession(key: string, now: number): Promise<Session | null> {
    return this.tx.resetSession(key, now);
  }

  async getRun(id: string): Promise<Run | null> {
    const row = this.ctx.st.runById.get(id);
    return row ? toRun(row) : null;
  }

  async listRuns(query: RunQuery): Promise<Run[]> {
    const { sessionId = null, state = null, principal = null, limit } = query;
    return this.ctx.st.listRuns.all({ sessionId, state, principal, limit }).map(toRun);
  }

  async claimRuns(claim: Claim): Promise<Run[]> {
    // Most claim passes find nothing; a read answers that without a write transaction (this
    // process is the only writer, and the claim re-selects inside the transaction anyway).
    if (claim.limit <= 0 || this.ctx.st.claimableRuns.all(1).length === 0) return [];
    return this.tx.claimRuns(claim);
  }

  async leaseRun(runId: string, claim: Omit<Claim, 'limit'>): Promise<Run | null> {
    return this.tx.leaseRun(runId, claim);
  }

  async renewLeases(runIds: string[], claim: Omit<Claim, 'limit'>): Promise<string[]> {
    return runIds.length === 0 ? [] : this.tx.renewLeases(runIds, claim);
  }

  async releaseRun(runId: string, owner: string): Promise<void> {
    this.tx.releaseRun(runId, owner);
  }

  async commitStep(runId: string, step: StepCommit): Promise<StepResult> {
    return this.tx.commitStep(runId, step);
  }

  async cancelRun(runId: string, by: Principal, reason: string, now: number): Promise<CancelResult> {
    return this.tx.cancelRun(runId, by, reason, now);
  }

  async recoverRuns(options: RecoverOptions): Promise<{ failed: Run[]; resumable: Run[] }> {
    return tallyRecoveries(recoverableRunIds(this.ctx, options).map((id) => this.tx.recoverRun(id, options)));
  }

  async readTape(runId: string, options: { afterSeq?: number } = {}): Promise<TapeEvent[]> {
    return this.ctx.st.readTape.all(runId, options.afterSeq ?? -1).map(tupleToTapeEvent);
  }

  async readSessionHistory(
    sessionId: string,
    options: { beforeRunId: string; maxRuns: number; kinds: readonly TapeEvent['kind'][] },
  ): Promise<TapeEvent[]> {
    if (options.maxRuns <= 0 || options.kinds.length === 0) return [];
    return this.ctx.st.sessionHistory
      .all({
        sessionId,
        before: options.beforeRunId,
        maxRuns: options.maxRuns,
        kinds: JSON.stringify(options.kinds),
      })
      .map(tupleToTapeEvent);
  }

  async getApproval(id: string): Promise<Approval | null> {
    const row = this.ctx.st.approvalById.get(id);
    return row ? toApproval(row) : null;
  }

  async listApprovals(query: ApprovalQuery): Promise<Approval[]> {
    const { state = null, runId = null, requester = null, limit } = query;
    return this.ctx.st.listApprovals.all({ state, runId, requester, limit }).map(toApproval);
  }

  async decideApproval(decision: ApprovalDecisionInput): Promise<Approval> {
    const result = this.tx.decideApproval(decision);
    if (result.outcome === 'expired') throw expiredError(result.approval);
    return result.approval;
  }

  async expireApprovals(now: number): Promise<Approval[]> {
    return this.tx.expireApprovals(now);
  }

  async listSessionGrants(sessionId: string, tool: string): Promise<Approval[]> {
    return this.ctx.st.sessionGrant.all(sessionId, tool).map(toApproval);
  }

  async createGrant(grant: NewGrant): Promise<Grant> {
    return this.tx.insertGrant(grant);
  }

  async getGrant(id: string): Promise<Grant | null> {
    return getGrant(this.ctx, id);
  }

  async listGrants(query: { now: number; includeInactive?: boolean; limit?: number }): Promise<Grant[]> {
    return listGrants(this.ctx, query);
  }

  async revokeGrant(id: string, by: Principal, now: number): Promise<Grant> {
    return this.tx.revokeGrant(id, by, now);
  }

  async nextApprovalExpiry(): Promise<number | null> {
    return this.ctx.st.nextExpiry.get()?.at ?? null;
  }

  async claimOutbox(claim: Claim): Promise<OutboxItem[]> {
    if (claim.limit <= 0 || this.ctx.st.claimableOutbox.all({ now: claim.now, limit: 1 }).length === 0)
      return [];
    return this.tx.claimOutbox(claim);
  }

  async completeOutbox(id: string, receipt: DeliveryReceipt, now: number): Promise<void> {
    this.tx.completeOutbox(id, receipt, now);
  }

  async recordOutboxProgress(id: string, receipt: DeliveryReceipt, _now: number): Promise<void> {
    this.tx.recordOutboxProgress(id, receipt);
  }

  async recordDraft(runId: string, receipt: DeliveryReceipt | null, now: number): Promise<void> {
    this.tx.recordDraft(runId, receipt, now);
  }

  async getDraft(runId: string): Promise<DeliveryReceipt | null> {
    const row = this.ctx.st.draftOf.get(runId);
    return row ? (JSON.parse(row.receipt) as DeliveryReceipt) : null;
  }

  async failOutbox(id: string, error: string, retryAt: number | null, _now: number): Promise<void> {
    this.tx.failOutbox(id, error, retryAt);
  }

  async getOutboxItem(id: string): Promise<OutboxItem | null> {
    const row = this.ctx.st.outboxById.get(id);
    return row ? toOutboxItem(row) : null;
  }

  async listOutbox(query: {
    runId?: string;
    state?: OutboxItem['state'];
    limit: number;
  }): Promise<OutboxItem[]> {
    const { runId = null, state = null, limit } = query;
    return this.ctx.st.listOutbox.all({ runId, state, limit }).map(toOutboxItem);
  }

  async recordEvent(type: string, data: Record<string, unknown>, now: number): Promise<JournalEvent> {
    return this.tx.recordEvent(type, data, now);
  }

  async recentEvents(limit: number): Promise<JournalEvent[]> {
    return this.ctx.st.recentEvents.all(limit).map(toJournalEvent);
  }

  async usageSummary(query: UsageQuery): Promise<UsageRow[]> {
    return this.ctx.st.usageSummary.all(usageSummaryParams(query)).map(toUsageRow);
  }

  async lastScheduleTick(name: string): Promise<number | null> {
    return this.ctx.st.lastScheduleTick.get(name)?.last_tick ?? null;
  }

  async claimScheduleTick(input: {
    name: string;
    tick: number;
    owner: string;
    now: number;
  }): Promise<boolean> {
    return this.ctx.st.claimScheduleTick.run(input).changes > 0;
  }

  async usageBreakdown(query: UsageQuery): Promise<UsageBreakdown> {
    const { since, until, principal } = usageSummaryParams(query);
    const window = { since, until, principal };
    const { st } = this.ctx;
    return toUsageBreakdown(
      st.usageByAgent.all(window),
      st.runsByAgent.all(window),
      st.usageByToolSource.all(window),
    );
  }

  async prune(request: PruneRequest): Promise<number> {
    return this.pruning.prune(request);
  }

  async reclaimSpace(): Promise<number> {
    return this.pruning.reclaimSpace();
  }

  async counts(): Promise<{ runs: Record<RunState, number>; approvals: Record<ApprovalState, number> }> {
    return countByState(this.ctx.st.runCounts.all(), this.ctx.st.approvalCounts.all());
  }

  // ── people ───────────────────────────────────────────────────────────────────────────

  async raiseAccessRequest(input: RaiseAccessInput): Promise<RaiseAccessResult> {
    return this.peopleTx.raiseAccessRequest(input);
  }

  async getAccessRequest(id: string): Promise<AccessRequest | null> {
    return people.getAccessRequest(this.ctx, id);
  }

  async listAccessRequests(query: { state?: AccessRequestState; limit: number }): Promise<AccessRequest[]> {
    return people.listAccessRequests(this.ctx, query);
  }

  async decideAccessRequest(input: AccessDecisionInput): Promise<AccessDecisionResult> {
    // An expired request is marked so before the refusal, as `decideApproval` does.
    try {
      return this.peopleTx.decideAccessRequest(input);
    } catch (error) {
      if (error instanceof ConflictError && error.code === 'expired')
        this.peopleTx.expireAccessRequests(input.now);
      throw error;
    }
  }

  async expireAccessRequests(now: number): Promise<AccessRequest[]> {
    return this.peopleTx.expireAccessRequests(now);
  }

  async listMemberships(): Promise<Membership[]> {
    return people.listMemberships(this.ctx);
  }

  async grantMembership(input: {
    principal: Principal;
    group: string;
    by: Principal;
    now: number;
  }): Promise<Membership> {
    return this.peopleTx.grantMembership(input);
  }

  async revokeMemberships(input: {
    principal: Principal;
    group?: string;
    by: Principal;
    now: number;
  }): Promise<Membership[]> {
    return this.peopleTx.revokeMemberships(input);
  }

  async listIdentityLinks(): Promise<IdentityLink[]> {
    return people.listIdentityLinks(this.ctx);
  }

  async linkIdentity(input: {
    principal: Principal;
    person: Principal;
    by: Principal;
    now: number;
  }): Promise<IdentityLink> {
    return this.peopleTx.linkIdentity(input);
  }

  async unlinkIdentity(input: {
    principal: Principal;
    by: Principal;
    now: number;
  }): Promise<IdentityLink | null> {
    return this.peopleTx.unlinkIdentity(input);
  }

  async createLinkCode(input: {
    codeHash: string;
    principal: Principal;
    expiresAt: number;
    now: number;
  }): Promise<void> {
    this.peopleTx.createLinkCode(input);
  }

  async countLinkCodes(principal: Principal, since: number): Promise<number> {
    return people.countLinkCodes(this.ctx, principal, since);
  }

  async recordLinkFailure(principal: Principal, now: number): Promise<void> {
    this.peopleTx.recordLinkFailure(principal, now);
  }

  async countLinkFailures(principal: Principal, since: number): Promise<number> {
    return people.countLinkFailures(this.ctx, principal, since);
  }

  async redeemLinkCode(input: {
    codeHash: string;
    principal: Principal;
    now: number;
  }): Promise<LinkCodeRedemption> {
    return this.peopleTx.redeemLinkCode(input);
  }
}

/** Opens (creating when missing) the SQLite journal at `options.path`, migrated and ready. */
export async function openSqliteJournal(options: SqliteJournalOptions): Promise<SqliteJournal> {
  return new SqliteJournal(options);
}
