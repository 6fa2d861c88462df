import { bindAgent } from '../agents/bindings.js';
import type { AgentDirectory } from '../agents/directory.js';
import type { ChannelAccess } from '../config/access-schema.js';
import type { Binding } from '../config/routing-schema.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  SessionBindingError,
  ValidationError,
} from '../core/errors.js';
import { isTerminal } from '../core/run-state.js';
import type {
  ApprovalState,
  ConversationRef,
  InboundMessage,
  Principal,
  Run,
  Session,
} from '../core/types.js';
import type { GrantDraft, JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { MemoryService } from '../memory/service.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { WebhookRequest, WebhookResponse } from '../ports/channel.js';
import type {
  CommandRequest,
  CommandResponse,
  DecisionOutcome,
  DecisionRequest,
  GatewayPort,
  ReceiveResult,
  ToolDecisionOutcome,
} from '../ports/gateway.js';
import type { Wakeups } from '../runtime/wakeups.js';
import { ToolRegistry } from '../tools/registry.js';
import { Access } from './access.js';
import { AccessDesk } from './access-requests.js';
import { runCommand } from './commands.js';
import { decisionMessage } from './decision-message.js';
import type { GrantBook } from './grant-book.js';
import { GatewayGrants } from './grants-access.js';
import { IdentityLinks } from './identity-links.js';
import { GatewayMemory } from './memory-access.js';
import { PeopleDirectory } from './people-directory.js';
import { GatewayReads } from './reads.js';
import { approvalResource, conversationResource, runResource, unplacedConversation } from './resources.js';
import { denyBySystem } from './system-decision.js';
import { ToolCatalog, type ToolCatalogSource } from './tool-catalog.js';

/** What the gateway is built from. */
export interface GatewayDeps {
  journal: JournalStore;
  policy: PolicyEngine;
  /** Told of every change the gateway commits (the loops wake from it). */
  wakeups: Wakeups;
  /** How many runs execute in this process, for `/status`. */
  activeRuns: () => number;
  clock: () => number;
  logger: Logger;
  maxMessageChars: number;
  /** The agents (their models, for `/status`). */
  agents: AgentDirectory;
  /** Which agent a new session gets: first match wins, else the default agent. */
  bindings: readonly Binding[];
  /** One line on the tool sandbox (its isolation tier, or why shell tools are off), for `/status`. */
  sandboxSummary?: string;
  /** Memory items; the gateway's memory door (`memory`) exists when given. */
  memory?: MemoryService;
  /** The tools and MCP servers behind `GET /v1/tools` and the `/status` MCP line. */
  tools?: ToolCatalogSource;
  /** The grants in force ("Always allow"); without it "Always allow" is refused. */
  grants?: GrantBook;
  /** How each channel treats strangers (`channels.<name>.access`); absent: every channel refuses. */
  channelAccess?: ReadonlyMap<string, ChannelAccess>;
  /** How long an access request waits (`approvals.timeout`; 15 minutes when absent). */
  accessTimeoutMs?: number;
}

/**
 * The runtime state of the gateway: the one door into the core for every channel and the HTTP
 * API. Receives messages (one transaction), cancels runs, decides approvals, answers usage and
 * recent events — each authorized by policy, never by hard-coded roles.
 */
export class GatewayRuntimeState implements GatewayPort {
  readonly webhooks = new Map<string, (request: WebhookRequest) => Promise<WebhookResponse>>();
  readonly logger: Logger;
  /** Asks Cedar for every door. */
  readonly access: Access;
  /** Runs, tapes, sessions, approvals, usage and events, authorized per call. */
  readonly reads: GatewayReads;
  /** Memory items for the HTTP API, authorized per call; absent without a memory service. */
  readonly memory: GatewayMemory | undefined;
  /** The tools and MCP servers, authorized per call (`read_tools`). */
  readonly toolCatalog: ToolCatalog;
  /** Grants ("Always allow"): made on a decision, listed and revoked, authorized per call. */
  readonly grants: GatewayGrants;
  /** The journal's memberships and linked identities, in force in the policy. */
  readonly people: PeopleDirectory;
  /** Access requests, memberships and their doors. */
  readonly accessDesk: AccessDesk;
  /** Linked identities and one-time link codes. */
  readonly links: IdentityLinks;

  constructor(readonly deps: GatewayDeps) {
    this.logger = deps.logger;
    this.access = new Access(deps.policy);
    this.people = new PeopleDirectory(deps.journal, deps.policy, deps.logger);
    this.reads = new GatewayReads(deps.journal, this.access, this.people);
    this.memory = deps.memory ? new GatewayMemory(deps.memory, deps.journal, this.access) : undefined;
    this.toolCatalog = new ToolCatalog(deps.tools ?? { tools: new ToolRegistry() }, this.access);
    this.grants = new GatewayGrants(deps.journal, this.access, deps.grants, deps.clock);
    this.accessDesk = new AccessDesk({
      journal: deps.journal,
      access: this.access,
      people: this.people,
      wakeups: deps.wakeups,
      clock: deps.clock,
      logger: deps.logger,
      channelAccess: deps.channelAccess ?? new Map(),
      timeoutMs: deps.accessTimeoutMs ?? 900_000,
    });
    this.links = new IdentityLinks({
      journal: deps.journal,
      access: this.access,
      people: this.people,
      clock: deps.clock,
    });
  }

  /** Reads the journal's memberships and linked identities into the policy; call before serving. */
  async start(): Promise<void> {
    await this.people.refresh();
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
    // Linked identities speak as their person: policy, runs and usage follow the person.
    message = { ...message, principal: this.people.personOf(message.principal) };
    if (message.text.length > maxMessageChars) {
      throw new ValidationError(
        `the message is ${message.text.length} characters long; the limit is ${maxMessageChars}`,
        'message_too_long',
      );
    }
    if (!this.mayChat(message.principal, message.conversation)) {
      throw new ForbiddenError(
        `${message.principal} may not talk to this agent; an admin can add them to a group`,
      );
    }
    const result = await journal.acceptInbound({
      // A schedule names its agent; a person's message gets the binding's.
      message: { ...message, agent: message.agent ?? this.agentFor(message.conversation, message.principal) },
      createSession: true,
      now: clock(),
      ...(sessionId !== undefined ? { sessionId } : {}),
    });
    if (result.duplicate) {
      const run = result.runId ? await journal.getRun(result.runId) : null;
      return { sessionId: run?.sessionId ?? '', runId: result.runId ?? '', duplicate: true };
    }
    this.deps.wakeups.announce({ type: 'run_accepted', runId: result.run.id });
    return { sessionId: result.session.id, runId: result.run.id, duplicate: false };
  }

  /**
   * The port for channel adapters: never throws for a person's mistake, answers with a reason.
   * A refusal first claims the platform event in the inbox, so a redelivery of a refused event
   * is a `duplicate` and the person is refused once.
   */
  async receive(message: InboundMessage): Promise<ReceiveResult> {
    let refusal: string;
    try {
      const result = await this.submit(message);
      return result.duplicate
        ? { status: 'duplicate' }
        : { status: 'accepted', sessionId: result.sessionId, runId: result.runId };
    } catch (error) {
      if (error instanceof ForbiddenError) {
        // A stranger: one polite answer, and an access request where the channel asks for one.
        // The message is kept to be answered once let in: with the agent a new session there gets.
        const principal = this.people.personOf(message.principal);
        const person = {
          ...message,
          principal,
          agent: message.agent ?? this.agentFor(message.conversation, principal),
        };
        const answer = await this.accessDesk.refuse(person);
        return answer.duplicate ? { status: 'duplicate' } : { status: 'refused', message: answer.text };
      } else if (error instanceof ValidationError || error instanceof SessionBindingError) {
        refusal = `Sorry, I could not take that message: ${error.message}.`;
      } else {
        throw error;
      }
    }
    const claim = await this.deps.journal.claimInboxEvent({
      channel: message.channel,
      eventId: message.eventId,
      now: this.deps.clock(),
    });
    return claim.duplicate ? { status: 'duplicate' } : { status: 'refused', message: refusal };
  }

  /**
   * Whether the policy lets `principal` chat (in `conversation`, when known). Asked on every
   * message and command; the policy engine remembers its answers per policy set, so a repeat costs
   * microseconds and a reload takes effect at once.
   */
  mayChat(principal: Principal, conversation?: ConversationRef): boolean {
    const where = conversation ?? unplacedConversation(principal);
    return this.access.allows({
      actor: principal,
      action: 'chat',
      resource: conversationResource(where),
      context: { agent: this.agentFor(where, principal) },
    });
  }

  /**
   * The agent that answers `principal` in `conversation` when a new session begins there: the
   * first binding that matches, else the default agent. An existing session keeps its own.
   */
  agentFor(conversation: ConversationRef, principal: Principal): string {
    return bindAgent(this.deps.bindings, conversation, principal, this.deps.agents.defaultName);
  }

  /** Cancels a run now: provider call aborted, tool killed, approvals cancelled, cards updated. */
  async cancelRun(runId: string, by: Principal, reason = 'cancelled'): Promise<Run> {
    const { journal, wakeups, clock } = this.deps;
    const run = await journal.getRun(runId);
    if (!run) throw new NotFoundError('run', runId);
    this.access.require({ actor: by, action: 'cancel_run', resource: runResource(run) }, `run ${run.id}`);
    if (isTerminal(run.state))
      throw new ConflictError(`run ${run.id} already ${run.state}`, 'run_finished', run.state);
    const result = await journal.cancelRun(runId, by, reason, clock());
    wakeups.announce({ type: 'run_cancelled', runId, reason });
    this.logger.info({ runId, by }, 'run cancelled');
    return result.run;
  }

  /**
   * Decides what a card's button asks about for the person who clicked: a tool approval, or an
   * access request (the same buttons). Refusals come back with a reason.
   */
  async decideApproval(request: DecisionRequest): Promise<DecisionOutcome> {
    request = { ...request, decider: this.people.personOf(request.decider) };
    if (!(await this.deps.journal.getApproval(request.approvalId))) {
      const accessRequest = await this.deps.journal.getAccessRequest(request.approvalId);
      if (accessRequest) return this.accessDesk.decide(request, accessRequest);
    }
    return this.decideToolApproval(request);
  }

  /** Decides a tool approval for the person who clicked; refusals come back with a reason. */
  async decideToolApproval(request: DecisionRequest): Promise<ToolDecisionOutcome> {
    request = { ...request, decider: this.people.personOf(request.decider) };
    const { journal, policy, clock } = this.deps;
    const approval = await journal.getApproval(request.approvalId);
    if (!approval) return { ok: false, code: 'not_found', message: 'This approval does not exist.' };
    const context = { requester: approval.requester, tool: approval.tool, argsHash: approval.argsHash };
    const resource = approvalResource(approval);
    // Asked before the state is told, so someone not permitted learns nothing about the request.
    const permitted = policy.authorize({ principal: request.decider, action: 'approve', resource, context });
    if (!permitted.allowed)
      return { ok: false, code: 'forbidden', message: "You can't approve or deny this request." };
    const refusal = this.stateRefusal(approval.state, approval.decidedBy);
    if (refusal) return refusal;
    const scope = request.decision === 'approve' ? (request.scope ?? 'once') : 'once';
    const further =
      scope === 'session' ? 'approve_for_session' : scope === 'always' ? 'grant_always' : undefined;
    if (
      further &&
      !policy.authorize({ principal: request.decider, action: further, resource, context }).allowed
    ) {
      const what = scope === 'session' ? 'for the whole session' : 'for good ("Always allow")';
      return { ok: false, code: 'forbidden', message: `You can approve this once, but not ${what}.` };
    }
    let grant: GrantDraft | undefined;
    if (scope === 'always') {
      try {
        grant = this.grants.draft(approval, request.grant);
      } catch (error) {
        if (error instanceof ValidationError) return { ok: false, code: 'invalid', message: error.message };
        throw error;
      }
    }
    try {
      const decided = await journal.decideApproval({
        approvalId: approval.id,
        decision: request.decision === 'approve' ? 'approved' : 'denied',
        decider: request.decider,
        scope: scope === 'session' ? 'session' : 'once',
        now: clock(),
        ...(grant ? { grant } : {}),
      });
      // In force before the run goes on, so its next matching call already runs unasked.
      if (decided.grantId !== null) await this.grants.book?.reload().catch(() => {}); // logged, retried
      this.afterDecision(approval.id, decided.runId);
      return { ok: true, approval: decided, message: decisionMessage(decided, request.decider, grant) };
    } catch (error) {
      if (error instanceof ConflictError) {
        if (error.code === 'expired') this.afterDecision(approval.id, approval.runId);
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
    await denyBySystem(this.deps, approvalId, reason);
  }

  /**
   * Resets a session for `by` (`reset_session`): the key's next message starts a new session,
   * this one stays readable. 409 when it was already reset.
   */
  async resetSession(sessionId: string, by: Principal): Promise<Session> {
    const session = await this.reads.authorizedSession(by, sessionId, 'reset_session');
    if (session.closedAt !== null) {
      throw new ConflictError(`session ${session.id} was already reset`, 'session_closed', 'closed');
    }
    const closed = await this.deps.journal.resetSession(session.key, this.deps.clock());
    await this.recordEvent('session_reset', { session_id: session.id, key: session.key, by });
    return closed ?? session;
  }

  /** The key of a session, for submitting a message to it by id (404 when there is none). */
  async sessionKeyOf(sessionId: string): Promise<string> {
    const session = await this.deps.journal.getSession(sessionId);
    if (!session) throw new NotFoundError('session', sessionId);
    return session.key;
  }

  /** Resolves when the journal is writable; `kind` names it (`sqlite`, `postgres`). */
  async healthCheck(): Promise<{ kind: string }> {
    await this.deps.journal.healthCheck();
    return { kind: this.deps.journal.kind };
  }

  /** Runs a slash command for the caller. */
  async command(request: CommandRequest): Promise<CommandResponse> {
    return runCommand(this, { ...request, principal: this.people.personOf(request.principal) });
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

  private afterDecision(approvalId: string, runId: string): void {
    this.deps.wakeups.announce({ type: 'approval_decided', approvalId, runId });
  }

  private stateRefusal(state: ApprovalState, decidedBy: string | null): ToolDecisionOutcome | undefined {
    if (state === 'pending') return undefined;
    if (state === 'expired')
      return { ok: false, code: 'expired', state, message: 'This request expired and counts as denied.' };
    if (state === 'cancelled')
      return { ok: false, code: 'cancelled', state, message: 'The run was cancelled; nothing will run.' };
    return {
      ok: false,
      code: 'already_decided',
      state,
      message: `This request was already ${state}${decidedBy ? ` by ${decidedBy}` : ''}.`,
    };
  }
}
