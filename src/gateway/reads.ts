/**
 * The gateway's read side: runs, tapes, sessions, approvals, usage and recent events, each read
 * authorized by its own Cedar action for the acting principal before anything is read
 * (docs/authorization.md). HTTP routes and chat commands both read through here.
 */

import { NotFoundError, ValidationError } from '../core/errors.js';
import { isTerminal } from '../core/run-state.js';
import type {
  Approval,
  ApprovalState,
  JournalEvent,
  Principal,
  Run,
  RunState,
  Session,
  TapeEvent,
  UsageBreakdown,
  UsageQuery,
  UsageRow,
} from '../core/types.js';
import { addUsage } from '../core/usage.js';
import type { JournalStore } from '../journal/store.js';
import type { Access } from './access.js';
import { type PersonResolver, usageByPerson } from './person-usage.js';
import { approvalResource, EVERYONE, runResource, sessionResource, userResource } from './resources.js';

/** A filter of {@link GatewayReads.listRuns}. */
export interface RunListQuery {
  limit: number;
  state?: RunState;
  sessionId?: string;
  /** Only this person's runs: asks `read_runs` on that `User` instead of on everyone. */
  principal?: Principal;
}

/** A filter of {@link GatewayReads.listApprovals}. */
export interface ApprovalListQuery {
  limit: number;
  state?: ApprovalState;
  /** Only this run's approvals: asks `read_approvals` on the run's owner (who requested them). */
  runId?: string;
}

/** A run and the tape events after a seq, read together for a live stream. */
export interface TapeRead {
  run: Run | null;
  events: TapeEvent[];
}

/** A run opened for a live stream by {@link GatewayReads.followRun}. */
export interface FollowedRun {
  run: Run;
  /**
   * The run's events after `afterSeq`, and the run itself when it may have changed state (the
   * first read, or a `state` event among them; `run` is undefined otherwise). Once the run is
   * terminal, the events include everything its tape holds.
   */
  read(afterSeq: number): Promise<{ run: Run | null | undefined; events: TapeEvent[] }>;
  /**
   * True when the journal is shared with other replicas: the run may execute on one whose steps
   * this process never hears of, so the stream should re-read now and then.
   */
  shared: boolean;
}

/** Reads of the journal, authorized per call. */
export class GatewayReads {
  /** `people` merges the usage of linked identities into their person's (absent: none are linked). */
  constructor(
    private readonly journal: JournalStore,
    private readonly access: Access,
    private readonly people?: PersonResolver,
  ) {}

  /** Runs, newest first: someone's (`read_runs` on that `User`) or everyone's. */
  async listRuns(actor: Principal, query: RunListQuery): Promise<Run[]> {
    const resource = query.principal !== undefined ? userResource(query.principal) : EVERYONE;
    this.access.require(
      { actor, action: 'read_runs', resource },
      query.principal !== undefined
        ? `${query.principal}'s runs`
        : `everyone's runs (add principal=${actor} for your own)`,
    );
    return this.journal.listRuns(query);
  }

  /** One run (`read_runs` on it); 404 when there is none. */
  async getRun(actor: Principal, runId: string): Promise<Run> {
    const run = await this.journal.getRun(runId);
    if (!run) throw new NotFoundError('run', runId);
    this.access.require({ actor, action: 'read_runs', resource: runResource(run) }, `run ${run.id}`);
    return run;
  }

  /** A run and its whole tape. */
  async readTape(actor: Principal, runId: string): Promise<{ run: Run; events: TapeEvent[] }> {
    const run = await this.getRun(actor, runId);
    return { run, events: await this.journal.readTape(run.id) };
  }

  /** Opens a run for a live stream (`read_runs` on it, asked once when the stream opens). */
  async followRun(actor: Principal, runId: string): Promise<FollowedRun> {
    const run = await this.getRun(actor, runId);
    const { journal } = this;
    let first = true;
    return {
      run,
      shared: journal.watch !== undefined,
      async read(afterSeq) {
        // A change of state is always a `state` tape event in the same commit (transitionRun), so
        // the run is read again only when one shows up: most changes are a step's events alone.
        const events = await journal.readTape(run.id, { afterSeq });
        if (!first && !events.some((event) => event.kind === 'state')) return { run: undefined, events };
        first = false;
        const current = await journal.getRun(run.id);
        if (!current || !isTerminal(current.state)) return { run: current, events };
        // Terminal: whatever was committed between the two reads is on the tape by now.
        const rest = await journal.readTape(run.id, { afterSeq: events.at(-1)?.seq ?? afterSeq });
        return { run: current, events: [...events, ...rest] };
      },
    };
  }

  /** Sessions, newest first (`read_sessions` on everyone). */
  async listSessions(actor: Principal, query: { limit: number; key?: string }): Promise<Session[]> {
    this.access.require(
      { actor, action: 'read_sessions', resource: EVERYONE, context: { tookPart: false } },
      'the list of sessions',
    );
    return this.journal.listSessions(query);
  }

  /** One session with its runs (`read_sessions` on it, knowing whether the actor took part). */
  async getSession(actor: Principal, sessionId: string): Promise<{ session: Session; runs: Run[] }> {
    const session = await this.authorizedSession(actor, sessionId, 'read_sessions');
    return { session, runs: await this.journal.listRuns({ sessionId: session.id, limit: 500 }) };
  }

  /**
   * Reads a session and asks `action` (`read_sessions`, `reset_session`) on it; 404 when there is
   * none. `took_part` is whether the actor started a run in it.
   */
  async authorizedSession(
    actor: Principal,
    sessionId: string,
    action: 'read_sessions' | 'reset_session',
  ): Promise<Session> {
    const session = await this.journal.getSession(sessionId);
    if (!session) throw new NotFoundError('session', sessionId);
    const own = await this.journal.listRuns({ sessionId: session.id, principal: actor, limit: 1 });
    this.access.require(
      { actor, action, resource: sessionResource(session), context: { tookPart: own.length > 0 } },
      `session ${session.id}`,
    );
    return session;
  }

  /**
   * Approvals, newest first: everyone's (`read_approvals` on everyone), or one run's (asked on the
   * run's owner, who requested them).
   */
  async listApprovals(actor: Principal, query: ApprovalListQuery): Promise<Approval[]> {
    if (query.runId !== undefined) {
      const run = await this.journal.getRun(query.runId);
      if (!run) throw new NotFoundError('run', query.runId);
      this.access.require(
        { actor, action: 'read_approvals', resource: userResource(run.principal) },
        `the approvals of ${run.principal}`,
      );
    } else {
      this.access.require(
        { actor, action: 'read_approvals', resource: EVERYONE },
        `everyone's approvals (add run_id= for one of your runs)`,
      );
    }
    return this.journal.listApprovals(query);
  }

  /** One approval (`read_approvals` on it); 404 when there is none. */
  async getApproval(actor: Principal, approvalId: string): Promise<Approval> {
    const approval = await this.journal.getApproval(approvalId);
    if (!approval) throw new NotFoundError('approval', approvalId);
    this.access.require(
      { actor, action: 'read_approvals', resource: approvalResource(approval) },
      `approval ${approval.id}`,
    );
    return approval;
  }

  /**
   * The pending approvals the actor may see: everyone's when `read_approvals` on everyone is
   * permitted, else their own requests when permitted on themselves; refused otherwise.
   */
  async pendingApprovals(actor: Principal, limit: number): Promise<{ all: boolean; approvals: Approval[] }> {
    if (this.access.allows({ actor, action: 'read_approvals', resource: EVERYONE })) {
      return { all: true, approvals: await this.journal.listApprovals({ state: 'pending', limit }) };
    }
    this.access.require(
      { actor, action: 'read_approvals', resource: userResource(actor) },
      'the pending approvals',
    );
    return {
      all: false,
      approvals: await this.journal.listApprovals({ state: 'pending', requester: actor, limit }),
    };
  }

  /** Usage per principal per bucket (`read_usage` on that `User`, or on everyone). */
  async usageSummary(actor: Principal, query: UsageQuery): Promise<UsageRow[]> {
    this.requireUsage(actor, query);
    return this.people ? usageByPerson(this.journal, this.people, query) : this.journal.usageSummary(query);
  }

  /**
   * The same usage by agent and by tool source (MCP server), behind the same door. Runs from
   * before agents were routed count for `defaultAgent`.
   */
  async usageBreakdown(actor: Principal, query: UsageQuery, defaultAgent: string): Promise<UsageBreakdown> {
    this.requireUsage(actor, query);
    const { agents, toolSources } = await this.journal.usageBreakdown(query);
    const merged = new Map<string, UsageBreakdown['agents'][number]>();
    for (const row of agents) {
      const agent = row.agent ?? defaultAgent;
      const known = merged.get(agent);
      if (!known) merged.set(agent, { ...row, agent });
      else addUsage(known, row);
    }
    return { agents: [...merged.values()], toolSources };
  }

  private requireUsage(actor: Principal, query: UsageQuery): void {
    // A linked identity's usage is its person's: asked of the person.
    const whose = query.principal && (this.people?.personOf(query.principal) ?? query.principal);
    const resource = whose ? userResource(whose) : EVERYONE;
    this.access.require(
      { actor, action: 'read_usage', resource },
      `the usage of ${query.principal ?? 'everyone'}`,
    );
  }

  /** Recent journal events, newest first (`read_events`; limit ≤ 500). */
  async recentEvents(actor: Principal, limit: number): Promise<JournalEvent[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new ValidationError('limit must be between 1 and 500');
    this.access.require({ actor, action: 'read_events', resource: EVERYONE }, 'the recent events');
    return this.journal.recentEvents(limit);
  }

  /** Throws unless the actor may read the Prometheus metrics (`read_metrics`). */
  requireMetrics(actor: Principal): void {
    this.access.require({ actor, action: 'read_metrics', resource: EVERYONE }, 'the metrics');
  }
}
