import type {
  CommandRequest,
  CommandResponse,
  DecisionOutcome,
  DecisionRequest,
  GatewayPort,
  InboundMessage,
  ReceiveResult,
  WebhookRequest,
  WebhookResponse,
} from '../../src/index.js';

/**
 * A recording stand-in of the gateway for adapter unit tests: it remembers what the adapter
 * handed over and answers with scripted outcomes. Scenario tests through the real gateway live in
 * the contract suite.
 */
export class StubGateway implements GatewayPort {
  readonly received: InboundMessage[] = [];
  readonly decisions: DecisionRequest[] = [];
  readonly commands: CommandRequest[] = [];
  readonly events: { type: string; data: Record<string, unknown> }[] = [];
  readonly webhooks = new Map<string, (request: WebhookRequest) => Promise<WebhookResponse>>();
  /** Principals refused by `mayChat` / `receive`. */
  readonly refused = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly seenCommands = new Set<string>();
  decide: (request: DecisionRequest) => DecisionOutcome = () => ({
    ok: false,
    code: 'not_found',
    message: 'no such approval',
  });
  answer: (request: CommandRequest) => CommandResponse = (request) => ({
    ok: true,
    text: `ran ${request.name}`,
  });

  readonly logger = {
    info: () => {},
    warn: () => {},
    error: () => {},
    debug: () => {},
  };

  async receive(message: InboundMessage): Promise<ReceiveResult> {
    const key = `${message.channel}:${message.eventId}`;
    if (this.seen.has(key)) return { status: 'duplicate' };
    this.seen.add(key);
    if (this.refused.has(message.principal)) {
      return {
        status: 'refused',
        message: 'Sorry, you are not allowed to talk to this agent. Ask an admin to add you.',
      };
    }
    this.received.push(message);
    return { status: 'accepted', sessionId: `s-${message.sessionKey}`, runId: `r-${this.received.length}` };
  }

  async decideApproval(request: DecisionRequest): Promise<DecisionOutcome> {
    this.decisions.push(request);
    return this.decide(request);
  }

  /** Records the command; one whose `eventId` was seen before is answered `duplicate`, like the gateway. */
  async command(request: CommandRequest): Promise<CommandResponse> {
    this.commands.push(request);
    if (request.eventId !== undefined) {
      if (this.seenCommands.has(request.eventId)) return { ok: true, text: '', duplicate: true };
      this.seenCommands.add(request.eventId);
    }
    return this.answer(request);
  }

  mayChat(principal: string): boolean {
    return !this.refused.has(principal);
  }

  registerWebhook(path: string, handler: (request: WebhookRequest) => Promise<WebhookResponse>): void {
    this.webhooks.set(path, handler);
  }

  async recordEvent(type: string, data: Record<string, unknown>): Promise<void> {
    this.events.push({ type, data });
  }
}
