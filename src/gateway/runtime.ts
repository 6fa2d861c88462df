import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  SessionBindingError,
  ValidationError,
} from '../core/errors.js';
import type { InboundMessage, JournalEvent, Principal, Run, UsageQuery, UsageRow } from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import { EVERYONE, type PolicyEngine } from '../policy/engine.js';
import { runCommand } from './commands.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';
import type {
  CommandRequest,
  CommandResponse,
  DecisionOutcome,
  DecisionRequest,
  GatewayPort,
  ReceiveResult,
  WebhookRequest,
  WebhookResponse,
} from './port.js';
import type { RunFeed } from './run-feed.js';
import type { Scheduler } from './scheduler.js';

/** What the gateway is built from. */
export interface GatewayDeps {
  journal: JournalStore;
  policy: PolicyEngine;
  scheduler: Scheduler;
  dispatcher: OutboxDispatcher;
  feed: RunFeed;
  clock: () => number;
  logger: Logger;
  maxMessageChars: number;
  /** One-line description of the model provider, for `/status`. */
  providerDescription: string;
  /** One line on the tool sandbox (its isolation tier, or why shell tools are off), for `/status`. */
  sandboxSummary?: string;
}

/** The principal the daemon itself decides as (card failures). */
export const SYSTEM_PRINCIPAL = 'system:switchboard';

/**
 * The runtime state of the gateway: the one door into the core for every channel and the HTTP
 * API. Receives messages (one transaction), cancels runs, decides approvals, answers usage and
 * recent events — each authorized by policy, never by hard-coded roles.
 */
export class GatewayRuntimeState implements GatewayPort {
  readonly webhooks = new Map<string, (request: WebhookRequest) => Promise<WebhookResponse>>();
  readonly logger: Logger;

  constructor(readonly deps: GatewayDeps) {
    this.logger = deps.logger;
  }

  /**
   * Accepts a message; throws for invalid input or refusal (HTTP uses this). `sessionId`, when
   * given, must agree with the key.
   */
  async submit(
    message: InboundMessage,
    sessionId?: string,
  ): Promise<{ sessionId: string; runId: string; duplicate: boolean }> {
    const { journal, clock, maxMessageChars } = this.deps;
    if (message.text.trim().length === 0 && (message.attachments?.length ?? 0) === 0) {
      throw new ValidationError('the message is empty');
    }
    if (message.text.length > maxMessageChars) {
      throw new ValidationError(
        `the message is ${message.text.length} characters long; the limit is ${maxMessageChars}`,
        'message_too_long',
      );
    }
    if (!this.mayChat(message.principal)) {
      throw new ForbiddenError(
        `${message.principal} may not talk to this agent; an admin can add them to a group`,
      );
    }
    const result = await journal.acceptInbound({
      message,
      createSession: true,
      now: clock(),
      ...(sessionId !== undefined ? { sessionId } : {}),
    });
    if (result.duplicate) {
      const run = result.runId ? await journal.getRun(result.runId) : null;
      return { sessionId: run?.sessionId ?? '', runId: result.runId ?? '', duplicate: true };
    }
    this.deps.scheduler.kick();
    this.deps.feed.publish(result.run.id);
    return { sessionId: result.session.id, runId: result.run.id, duplicate: false };
  }

  /** The port for channel adapters: never throws for a person's mistake, answers with a reason. */
  async receive(message: InboundMessage): Promise<ReceiveResult> {
    try {
      const result = await this.submit(message);
      return result.duplicate
        ? { status: 'duplicate' }
        : { status: 'accepted', sessionId: result.sessionId, runId: result.runId };
    } catch (error) {
      if (error instanceof ForbiddenError) {
        return {
          status: 'refused',
          message:
            'Sorry, you are not on the list of people who may talk to me here. Please ask an admin to add you.',
        };
      }
      if (error instanceof ValidationError || error instanceof SessionBindingError) {
        return { status: 'refused', message: `Sorry, I could not take that message: ${error.message}.` };
      }
      throw error;
    }
  }

  /**
   * Whether the policy lets `principal` chat. Asked on every message; the policy engine remembers
   * its answers per policy set, so a repeat costs microseconds and a reload takes effect at once.
   */
  mayChat(principal: Principal): boolean {
    return this.deps.policy.authorize({
      principal,
      action: 'chat',
      resource: { type: 'Conversation', id: 'any' },
    }).allowed;
  }

  /** Cancels a run now: provider call aborted, tool killed, approvals cancelled, cards updated. */
  async cancelRun(runId: string, by: Principal, reason = 'cancelled'): Promise<Run> {
    const { journal, policy, scheduler, dispatcher, feed, clock } = this.deps;
    const run = await journal.getRun(runId);
    if (!run) throw new NotFoundError('run', runId);
    const allowed = policy.authorize({
      principal: by,
      action: 'cancel_run',
      resource: { type: 'Run', id: run.id, attrs: { owner: run.principal } },
    });
    if (!allowed.allowed) throw new ForbiddenError(`${by} may not cancel run ${run.id}`);
    const result = await journal.cancelRun(runId, by, reason, clock());
    scheduler.abort(runId, reason);
    dispatcher.kick();
    feed.publish(runId);
    scheduler.kick();
    this.logger.info({ runId, by }, 'run cancelled');
    return result.run;
  }

  /** Decides an approval for the person who clicked; refusals come back with a reason. */
  async decideApproval(request: DecisionRequest): Promise<DecisionOutcome> {
    const { journal, policy, clock } = this.deps;
    const approval = await journal.getApproval(request.approvalId);
    if (!approval) return { ok: false, code: 'not_found', message: 'This approval does not exist.' };
    const refusal = this.stateRefusal(approval.state, approval.decidedBy);
    if (refusal) return refusal;
    const context = { requester: approval.requester, tool: approval.tool, argsHash: approval.argsHash };
    const resource = {
      type: 'Approval' as const,
      id: approval.id,
      attrs: { requester: approval.requester, tool: approval.tool },
    };
    const permitted = policy.authorize({ principal: request.decider, action: 'approve', resource, context });
    if (!permitted.allowed)
      return { ok: false, code: 'forbidden', message: "You can't approve or deny this request." };
    const scope = request.decision === 'approve' && request.scope === 'session' ? 'session' : 'once';
    if (scope === 'session') {
      const forSession = policy.authorize({
        principal: request.decider,
        action: 'approve_for_session',
        resource,
        context,
      });
      if (!forSession.allowed) {
        return {
          ok: false,
          code: 'forbidden',
          message: 'You can approve this once, but not for the whole session.',
        };
      }
    }
    try {
      const decided = await journal.decideApproval({
        approvalId: approval.id,
        decision: request.decision === 'approve' ? 'approved' : 'denied',
        decider: request.decider,
        scope,
        now: clock(),
      });
      this.afterDecision(decided.runId);
      const verb =
        decided.state === 'approved'
          ? scope === 'session'
            ? 'Approved for this session'
            : 'Approved'
          : 'Denied';
      return { ok: true, approval: decided, message: `${verb} by ${request.decider}.` };
    } catch (error) {
      if (error instanceof ConflictError) {
        if (error.code === 'expired') this.afterDecision(approval.runId);
        const current = await journal.getApproval(approval.id);
        return (
          this.stateRefusal(current?.state ?? 'expired', current?.decidedBy ?? null) ?? {
            ok: false,
            code: 'already_decided',
            message: 'This request was already decided.',
          }
        );
      }
      throw error;
    }
  }

  /** The daemon denies an approval itself (its card could not be shown). */
  async denyBySystem(approvalId: string, reason: string): Promise<void> {
    try {
      const decided = await this.deps.journal.decideApproval({
        approvalId,
        decision: 'denied',
        decider: SYSTEM_PRINCIPAL,
        scope: 'once',
        now: this.deps.clock(),
        reason,
      });
      this.afterDecision(decided.runId);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** Usage per principal per bucket, for a caller allowed to read it. */
  async usageSummary(query: UsageQuery, by: Principal): Promise<UsageRow[]> {
    const resource = query.principal ? { type: 'User' as const, id: query.principal } : EVERYONE;
    const allowed = this.deps.policy.authorize({ principal: by, action: 'read_usage', resource });
    if (!allowed.allowed)
      throw new ForbiddenError(`${by} may not read the usage of ${query.principal ?? 'everyone'}`);
    return this.deps.journal.usageSummary(query);
  }

  /** Recent journal events, newest first (limit ≤ 500). */
  async recentEvents(limit: number): Promise<JournalEvent[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new ValidationError('limit must be between 1 and 500');
    return this.deps.journal.recentEvents(limit);
  }

  /** Runs a slash command for the caller. */
  async command(request: CommandRequest): Promise<CommandResponse> {
    return runCommand(this, request);
  }

  /** Serves a channel webhook on the HTTP server. */
  registerWebhook(path: string, handler: (request: WebhookRequest) => Promise<WebhookResponse>): void {
    if (this.webhooks.has(path)) throw new Error(`a webhook is already registered at ${path}`);
    this.webhooks.set(path, handler);
  }

  /** Records a journal event. */
  async recordEvent(type: string, data: Record<string, unknown>): Promise<void> {
    await this.deps.journal.recordEvent(type, data, this.deps.clock());
  }

  private afterDecision(runId: string): void {
    this.deps.dispatcher.kick();
    this.deps.feed.publish(runId);
    void this.deps.scheduler
      .resume(runId)
      .catch((error: unknown) => this.logger.error({ err: error, runId }, 'resume failed'));
  }

  private stateRefusal(state: string, decidedBy: string | null): DecisionOutcome | undefined {
    if (state === 'pending') return undefined;
    if (state === 'expired')
      return { ok: false, code: 'expired', message: 'This request expired and counts as denied.' };
    if (state === 'cancelled')
      return { ok: false, code: 'cancelled', message: 'The run was cancelled; nothing will run.' };
    return {
      ok: false,
      code: 'already_decided',
      message: `This request was already ${state}${decidedBy ? ` by ${decidedBy}` : ''}.`,
    };
  }
}
