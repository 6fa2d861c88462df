import pg from 'pg';
import { ConflictError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
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
import { type RecoverOptions, type Recovery, tallyRecoveries } from '../shared/run-rules.js';
import {
  type AgentRunsRow,
  type AgentUsageRow,
  countByState,
  type ToolSourceRow,
  toUsageBreakdown,
  toUsageRow,
  type UsageSummaryRow,
  usageSummaryParams,
} from '../shared/usage.js';
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
  JournalSignal,
  JournalStore,
  LinkCodeRedemption,
  NewGrant,
  OutboxClaim,
  PruneRequest,
  RaiseAccessInput,
  RaiseAccessResult,
  RunQuery,
  StepCommit,
  StepResult,
} from '../store.js';
import { decideApproval, expireApprovals } from './approvals.js';
import { type PgSettings, type PostgresJournalOptions, resolveSettings } from './connection.js';
import { changes, inTransaction, type PgContext, poolContext, rows } from './context.js';
import { getGrant, insertGrant, listGrants, revokeGrant } from './grants.js';
import { acceptInbound, claimInboxEvent, resetSession } from './inbound.js';
import { SignalListener } from './listener.js';
import { applyPgMigrations } from './migrations.js';
import { completeOutbox, failOutbox, recordOutboxProgress } from './outbox.js';
import * as people from './people.js';
import { prunePgBatch, reclaimPgSpace } from './prune.js';
import {
  type PgApprovalRow,
  type PgEventRow,
  type PgOutboxRow,
  type PgRunRow,
  type PgSessionRow,
  type PgTapeRow,
  toApproval,
  toJournalEvent,
  toJson,
  toOutboxItem,
  toRun,
  toSession,
  toTapeEvent,
} from './rows.js';
import { cancelRun, claimRuns, commitStep, recoverRun } from './runs.js';
import { recordEvent } from './writes.js';

/** Oldest first, as SQLite claims them (RETURNING has no order). */
function byCreation(a: PgOutboxRow, b: PgOutboxRow): number {
  return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Thrown inside the health probe's transaction to roll it back. */
const ROLLBACK = Symbol('health probe rollback');

/**
 * The journal on PostgreSQL, for several replicas sharing one database (DESIGN.md section 8).
 * Same tables and behaviour as the SQLite store; every atomic method is one READ COMMITTED
 * transaction on a pooled connection, writers of one run serialize on its row lock, claims use
 * `FOR UPDATE SKIP LOCKED` with leases, and committed changes other replicas must act on are
 * published with NOTIFY and heard through `watch`. Create it with `openPostgresJournal`.
 */
export class PostgresJournal implements JournalStore {
  /** Always `postgres`. */
  readonly kind = 'postgres';
  /** The schema holding the tables, when one was chosen. */
  readonly schema: string | undefined;
  private readonly pool: pg.Pool;
  private readonly settings: PgSettings;
  private readonly listener: SignalListener;
  private closed = false;

  /** Creates the pool; nothing connects until the first query (see `openPostgresJournal`). */
  constructor(options: PostgresJournalOptions) {
    this.settings = resolveSettings(options);
    this.schema = this.settings.schema;
    this.pool = new pg.Pool(this.settings.pool);
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    this.pool.on('error', (error) => options.onError?.(error));
    this.listener = new SignalListener({
      connection: this.settings.client,
      channel: this.settings.channel,
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  private tx<T>(fn: (ctx: PgContext) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.settings.channel, fn);
  }

  async migrate(): Promise<void> {
    await applyPgMigrations(this.pool, this.schema);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener.close();
    await this.pool.end();
  }

  async healthCheck(): Promise<void> {
    const timeoutMs = Number(this.settings.client.connectionTimeoutMillis ?? 5000);
    let timer: NodeJS.Timeout | undefined;
    const probe = this.tx(async (ctx) => {
      await recordEvent(ctx, 'health.probe', {}, Date.now());
      throw ROLLBACK;
    }).catch((error: unknown) => {
      if (error !== ROLLBACK) throw error;
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`PostgreSQL did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async acceptInbound(input: AcceptInput): Promise<AcceptResult> {
    return this.tx((ctx) => acceptInbound(ctx, input));
  }

  async claimInboxEvent(input: InboxClaim): Promise<{ duplicate: boolean }> {
    return this.tx((ctx) => claimInboxEvent(ctx, input));
  }

  async getSession(id: string): Promise<Session | null> {
    const [row] = await rows<PgSessionRow>(this.pool, 'sessionById', [id]);
    return row ? toSession(row) : null;
  }

  async getSessionByKey(key: string): Promise<Session | null> {
    const [row] = await rows<PgSessionRow>(this.pool, 'openSessionByKey', [key]);
    return row ? toSession(row) : null;
  }

  async listSessions(query: { limit: number; key?: string }): Promise<Session[]> {
    return (await rows<PgSessionRow>(this.pool, 'listSessions', [query.key ?? null, query.limit])).map(
      toSession,
    );
  }

  async resetSession(key: string, now: number): Promise<Session | null> {
    return this.tx((ctx) => resetSession(ctx, key, now));
  }

  async getRun(id: string): Promise<Run | null> {
    const [row] = await rows<PgRunRow>(this.pool, 'runById', [id]);
    return row ? toRun(row) : null;
  }

  async listRuns(query: RunQuery): Promise<Run[]> {
    const { sessionId = null, state = null, principal = null, limit } = query;
    return (await rows<PgRunRow>(this.pool, 'listRuns', [sessionId, state, principal, limit])).map(toRun);
  }

  async claimRuns(claim: Claim): Promise<Run[]> {
    if (claim.limit <= 0) return [];
    return this.tx((ctx) => claimRuns(ctx, claim));
  }

  async leaseRun(runId: string, claim: Omit<Claim, 'limit'>): Promise<Run | null> {
    const { owner, now, leaseMs } = claim;
    const [row] = await rows<PgRunRow>(this.pool, 'leaseRun', [runId, owner, now, now + leaseMs]);
    return row ? toRun(row) : null;
  }

  /**
   * One autocommit UPDATE per run rather than one transaction for all: a renewal then never
   * holds one run's row while it waits for another's step to commit.
   */
  async renewLeases(runIds: string[], claim: Omit<Claim, 'limit'>): Promise<string[]> {
    const expires = claim.now + claim.leaseMs;
    const held = await Promise.all(
      runIds.map(async (id) => (await changes(this.pool, 'renewLease', [id, claim.owner, expires])) > 0),
    );
    return runIds.filter((_, i) => held[i]);
  }

  async releaseRun(runId: string, owner: string): Promise<void> {
    await changes(this.pool, 'releaseRun', [runId, owner]);
  }

  async commitStep(runId: string, step: StepCommit): Promise<StepResult> {
    return this.tx((ctx) => commitStep(ctx, runId, step));
  }

  async cancelRun(runId: string, by: Principal, reason: string, now: number): Promise<CancelResult> {
    return this.tx((ctx) => cancelRun(ctx, runId, by, reason, now));
  }

  async recoverRuns(options: RecoverOptions): Promise<{ failed: Run[]; resumable: Run[] }> {
    const ids = await rows<{ id: string }>(this.pool, 'recoverableRuns', [options.all, options.now]);
    const results: Recovery[] = [];
    for (const { id } of ids) results.push(await this.tx((ctx) => recoverRun(ctx, id, options)));
    return tallyRecoveries(results);
  }

  async readTape(runId: string, options: { afterSeq?: number } = {}): Promise<TapeEvent[]> {
    return (await rows<PgTapeRow>(this.pool, 'readTape', [runId, options.afterSeq ?? -1])).map(toTapeEvent);
  }

  async readSessionHistory(
    sessionId: string,
    options: { beforeRunId: string; maxRuns: number; kinds: readonly TapeEvent['kind'][] },
  ): Promise<TapeEvent[]> {
    if (options.maxRuns <= 0 || options.kinds.length === 0) return [];
    const history = await rows<PgTapeRow>(this.pool, 'sessionHistory', [
      sessionId,
      options.beforeRunId,
      options.maxRuns,
      [...options.kinds],
    ]);
    return history.map(toTapeEvent);
  }

  async getApproval(id: string): Promise<Approval | null> {
    const [row] = await rows<PgApprovalRow>(this.pool, 'approvalById', [id]);
    return row ? toApproval(row) : null;
  }

  async listApprovals(query: ApprovalQuery): Promise<Approval[]> {
    const { state = null, runId = null, requester = null, limit } = query;
    return (await rows<PgApprovalRow>(this.pool, 'listApprovals', [state, runId, limit, requester])).map(
      toApproval,
    );
  }

  async decideApproval(decision: ApprovalDecisionInput): Promise<Approval> {
    const result = await this.tx((ctx) => decideApproval(ctx, decision));
    if (result.outcome === 'expired') throw expiredError(result.approval);
    return result.approval;
  }

  async expireApprovals(now: number): Promise<Approval[]> {
    return this.tx((ctx) => expireApprovals(ctx, now));
  }

  async listSessionGrants(sessionId: string, tool: string): Promise<Approval[]> {
    return (await rows<PgApprovalRow>(this.pool, 'sessionGrant', [sessionId, tool])).map(toApproval);
  }

  async createGrant(grant: NewGrant): Promise<Grant> {
    return this.tx((ctx) => insertGrant(ctx, grant));
  }

  async getGrant(id: string): Promise<Grant | null> {
    return getGrant(this.pool, id);
  }

  async listGrants(query: { now: number; includeInactive?: boolean; limit?: number }): Promise<Grant[]> {
    return listGrants(this.pool, query);
  }

  async revokeGrant(id: string, by: Principal, now: number): Promise<Grant> {
    return this.tx((ctx) => revokeGrant(ctx, id, by, now));
  }

  async nextApprovalExpiry(): Promise<number | null> {
    const [row] = await rows<{ at: number | null }>(this.pool, 'nextExpiry');
    return row?.at ?? null;
  }

  async claimOutbox(claim: OutboxClaim): Promise<OutboxItem[]> {
    if (claim.limit <= 0) return [];
    if (claim.channels?.length === 0) return [];
    const claimed = await rows<PgOutboxRow>(this.pool, 'claimOutbox', [
      claim.now,
      claim.limit,
      claim.channels ?? null,
      claim.owner,
      claim.now + claim.leaseMs,
    ]);
    return claimed.sort(byCreation).map(toOutboxItem);
  }

  async completeOutbox(id: string, receipt: DeliveryReceipt, now: number): Promise<void> {
    await this.tx((ctx) => completeOutbox(ctx, id, receipt, now));
  }

  async recordOutboxProgress(id: string, receipt: DeliveryReceipt, _now: number): Promise<void> {
    await this.tx((ctx) => recordOutboxProgress(ctx, id, receipt));
  }

  async recordDraft(runId: string, receipt: DeliveryReceipt | null, now: number): Promise<void> {
    if (receipt === null) await rows(this.pool, 'deleteDraft', [runId]);
    else await rows(this.pool, 'upsertDraft', [runId, JSON.stringify(receipt), now]);
  }

  async getDraft(runId: string): Promise<DeliveryReceipt | null> {
    const [row] = await rows<{ receipt: DeliveryReceipt }>(this.pool, 'draftOf', [runId]);
    return row?.receipt ?? null;
  }

  async failOutbox(id: string, error: string, retryAt: number | null, _now: number): Promise<void> {
    await this.tx((ctx) => failOutbox(ctx, id, error, retryAt));
  }

  async getOutboxItem(id: string): Promise<OutboxItem | null> {
    const [row] = await rows<PgOutboxRow>(this.pool, 'outboxById', [id]);
    return row ? toOutboxItem(row) : null;
  }

  async listOutbox(query: {
    runId?: string;
    state?: OutboxItem['state'];
    limit: number;
  }): Promise<OutboxItem[]> {
    const { runId = null, state = null, limit } = query;
    return (await rows<PgOutboxRow>(this.pool, 'listOutbox', [runId, state, limit])).map(toOutboxItem);
  }

  async recordEvent(type: string, data: Record<string, unknown>, now: number): Promise<JournalEvent> {
    const id = newId(now);
    await changes(this.pool, 'insertEvent', [id, now, type, toJson(data)]);
    return { id, at: now, type, data };
  }

  async recentEvents(limit: number): Promise<JournalEvent[]> {
    return (await rows<PgEventRow>(this.pool, 'recentEvents', [limit])).map(toJournalEvent);
  }

  async usageSummary(query: UsageQuery): Promise<UsageRow[]> {
    const { size, since, until, principal } = usageSummaryParams(query);
    const summed = await rows<UsageSummaryRow>(this.pool, 'usageSummary', [size, since, until, principal]);
    return summed.map(toUsageRow);
  }

  async lastScheduleTick(name: string): Promise<number | null> {
    const [row] = await rows<{ last_tick: string | number }>(this.pool, 'lastScheduleTick', [name]);
    return row ? Number(row.last_tick) : null;
  }

  async claimScheduleTick(input: {
    name: string;
    tick: number;
    owner: string;
    now: number;
  }): Promise<boolean> {
    const claimed = await rows<{ name: string }>(this.pool, 'claimScheduleTick', [
      input.name,
      input.tick,
      input.owner,
      input.now,
    ]);
    return claimed.length > 0;
  }

  async usageBreakdown(query: UsageQuery): Promise<UsageBreakdown> {
    const { since, until, principal } = usageSummaryParams(query);
    const window = [since, until, principal];
    const [usage, runs, sources] = await Promise.all([
      rows<AgentUsageRow>(this.pool, 'usageByAgent', window),
      rows<AgentRunsRow>(this.pool, 'runsByAgent', window),
      rows<ToolSourceRow>(this.pool, 'usageByToolSource', window),
    ]);
    return toUsageBreakdown(usage, runs, sources);
  }

  async prune(request: PruneRequest): Promise<number> {
    return prunePgBatch(this.pool, `switchboard.retention:${this.schema ?? 'default'}`, request);
  }

  async reclaimSpace(): Promise<number> {
    return reclaimPgSpace(this.pool);
  }

  async counts(): Promise<{ runs: Record<RunState, number>; approvals: Record<ApprovalState, number> }> {
    return countByState(
      await rows<{ state: RunState; n: number }>(this.pool, 'runCounts'),
      await rows<{ state: ApprovalState; n: number }>(this.pool, 'approvalCounts'),
    );
  }

  /** Subscribes to signals from every process on this database and schema (LISTEN/NOTIFY). */
  watch(listener: (signal: JournalSignal) => void): () => void {
    return this.listener.subscribe(listener);
  }

  /** Resolves once `watch` subscribers are actually listening (so no signal is missed after it). */
  async listening(): Promise<void> {
    await this.listener.ready();
  }

  async acquireSingleton(name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    const held = await rows<{ owner: string }>(this.pool, 'acquireSingleton', [name, owner, now, ttlMs]);
    return held.length > 0;
  }

  async releaseSingleton(name: string, owner: string): Promise<void> {
    await changes(this.pool, 'releaseSingleton', [name, owner]);
  }

  // ── people ───────────────────────────────────────────────────────────────────────────

  async raiseAccessRequest(input: RaiseAccessInput): Promise<RaiseAccessResult> {
    return this.tx((ctx) => people.raiseAccessRequest(ctx, input));
  }

  async getAccessRequest(id: string): Promise<AccessRequest | null> {
    return people.getAccessRequest(poolContext(this.pool), id);
  }

  async listAccessRequests(query: { state?: AccessRequestState; limit: number }): Promise<AccessRequest[]> {
    return people.listAccessRequests(poolContext(this.pool), query);
  }

  async decideAccessRequest(input: AccessDecisionInput): Promise<AccessDecisionResult> {
    try {
      return await this.tx((ctx) => people.decideAccessRequest(ctx, input));
    } catch (error) {
      // An expired request is marked so before the refusal, as `decideApproval` does.
      if (error instanceof ConflictError && error.code === 'expired')
        await this.expireAccessRequests(input.now);
      throw error;
    }
  }

  async expireAccessRequests(now: number): Promise<AccessRequest[]> {
    return this.tx((ctx) => people.expireAccessRequests(ctx, now));
  }

  async listMemberships(): Promise<Membership[]> {
    return people.listMemberships(poolContext(this.pool));
  }

  async grantMembership(input: {
    principal: Principal;
    group: string;
    by: Principal;
    now: number;
  }): Promise<Membership> {
    return this.tx((ctx) => people.grantMembership(ctx, input));
  }

  async revokeMemberships(input: {
    principal: Principal;
    group?: string;
    by: Principal;
    now: number;
  }): Promise<Membership[]> {
    return this.tx((ctx) => people.revokeMemberships(ctx, input));
  }

  async listIdentityLinks(): Promise<IdentityLink[]> {
    return people.listIdentityLinks(poolContext(this.pool));
  }

  async linkIdentity(input: {
    principal: Principal;
    person: Principal;
    by: Principal;
    now: number;
  }): Promise<IdentityLink> {
    return this.tx((ctx) => people.linkIdentity(ctx, input));
  }

  async unlinkIdentity(input: {
    principal: Principal;
    by: Principal;
    now: number;
  }): Promise<IdentityLink | null> {
    return this.tx((ctx) => people.unlinkIdentity(ctx, input));
  }

  async createLinkCode(input: {
    codeHash: string;
    principal: Principal;
    expiresAt: number;
    now: number;
  }): Promise<void> {
    await people.createLinkCode(poolContext(this.pool), input);
  }

  async countLinkCodes(principal: Principal, since: number): Promise<number> {
    return people.countLinkCodes(poolContext(this.pool), principal, since);
  }

  async recordLinkFailure(principal: Principal, now: number): Promise<void> {
    await people.recordLinkFailure(poolContext(this.pool), principal, now);
  }

  async countLinkFailures(principal: Principal, since: number): Promise<number> {
    return people.countLinkFailures(poolContext(this.pool), principal, since);
  }

  async redeemLinkCode(input: {
    codeHash: string;
    principal: Principal;
    now: number;
  }): Promise<LinkCodeRedemption> {
    return this.tx((ctx) => people.redeemLinkCode(ctx, input));
  }
}

/** Opens the PostgreSQL journal, migrated (once across replicas) and ready. */
export async function openPostgresJournal(options: PostgresJournalOptions): Promise<PostgresJournal> {
  const journal = new PostgresJournal(options);
  try {
    await journal.migrate();
  } catch (error) {
    await journal.close();
    throw error;
  }
  return journal;
}
