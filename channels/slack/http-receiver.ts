import { parse as parseQuery } from 'node:querystring';
import {
  type App,
  type Receiver,
  type ReceiverEvent,
  ReceiverMultipleAckError,
  verifySlackRequest,
} from '@slack/bolt';
import type { ChannelLogger, WebhookRequest, WebhookResponse } from '../../src/index.js';
import type { BackgroundWork } from './background.js';
import { SLACK_ACK_DEADLINE_MS, SLACK_MAX_SKEW_SECONDS } from './config.js';

/** Options of {@link WebhookReceiver}. */
export interface WebhookReceiverOptions {
  signingSecret: string;
  logger: ChannelLogger;
  /** Where work that continues after the ack is tracked. */
  background: BackgroundWork;
  /** The clock, in milliseconds; tests may pin it. */
  now?: () => number;
}

/**
 * A Bolt `Receiver` fed by the daemon's own HTTP server: it only moves bytes — verifies the signing
 * secret, parses the body, answers `url_verification`, hands a `ReceiverEvent` (with Slack's retry
 * metadata) to Bolt, and turns Bolt's `ack` into the HTTP answer.
 *
 * Events API deliveries are answered only after the listeners finished (the gateway committed the
 * inbox row), so a failed commit is answered 500 and Slack redelivers; interactions and slash
 * commands are answered the moment the listener acks, and their work continues in the background.
 */
export class WebhookReceiver implements Receiver {
  private app: App | undefined;
  private accepting = false;
  private readonly now: () => number;

  constructor(private readonly options: WebhookReceiverOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Called by Bolt when the App is built. */
  init(app: App): void {
    this.app = app;
  }

  /** Nothing to listen on (the daemon's HTTP server owns the socket): starts accepting requests. */
  async start(): Promise<void> {
    this.accepting = true;
  }

  /** Stops accepting requests (503, Slack retries elsewhere or later) and waits for background work. */
  async stop(): Promise<void> {
    this.accepting = false;
    await this.options.background.settled();
  }

  /** Handles one `POST /slack/events` forwarded by the daemon. Never throws. */
  async handle(request: WebhookRequest): Promise<WebhookResponse> {
    if (request.method.toUpperCase() !== 'POST') return { status: 405, body: 'method not allowed' };
    const raw = request.rawBody.toString('utf8');
    const contentType = header(request, 'content-type') ?? '';
    const isForm = contentType.startsWith('application/x-www-form-urlencoded');

    // Slack's SSL check carries no signature and must not smuggle a payload: answer and stop.
    if (isForm && parseQuery(raw).ssl_check === '1') return { status: 200 };

    const refusal = this.verify(request, raw);
    if (refusal) {
      this.options.logger.warn(
        { channel: 'slack', reason: refusal },
        'refused an unsigned or stale Slack request',
      );
      return { status: 401, body: 'invalid signature' };
    }

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, isForm);
    } catch {
      return { status: 400, body: 'malformed body' };
    }
    if (body.type === 'url_verification') {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challenge: body.challenge }),
      };
    }
    if (!this.app || !this.accepting) return { status: 503, body: 'slack channel not running' };
    return this.dispatch(this.app, request, body);
  }

  /** Returns why the request is refused, or undefined when the signature and timestamp are good. */
  private verify(request: WebhookRequest, raw: string): string | undefined {
    const signature = header(request, 'x-slack-signature');
    const timestamp = Number(header(request, 'x-slack-request-timestamp'));
    if (!signature || !Number.isFinite(timestamp)) return 'missing signature headers';
    if (timestamp - Math.floor(this.now() / 1000) > SLACK_MAX_SKEW_SECONDS) return 'timestamp in the future';
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: this.now(),
      });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : 'signature mismatch';
    }
  }

  private async dispatch(
    app: App,
    request: WebhookRequest,
    body: Record<string, unknown>,
  ): Promise<WebhookResponse> {
    let acked = false;
    let answer: (response: WebhookResponse) => void = () => {};
    const ackAnswer = new Promise<WebhookResponse>((resolve) => {
      answer = resolve;
    });
    const retryNum = Number(header(request, 'x-slack-retry-num'));
    const retryReason = header(request, 'x-slack-retry-reason');
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (acked) throw new ReceiverMultipleAckError();
        acked = true;
        answer(ackResponse(response));
      },
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(retryReason ? { retryReason } : {}),
    };

    const processing = app.processEvent(event);
    if (body.type === 'event_callback') {
      // Events are answered after the commit: a failure makes Slack deliver again.
      try {
        await processing;
        return { status: 200 };
      } catch (error) {
        this.options.logger.error(
          { channel: 'slack', err: errorText(error) },
          'handling a Slack event failed',
        );
        return { status: 500, body: 'event not accepted, retry' };
      }
    }

    // Interactions and commands are answered when the listener acks; the work goes on after that.
    const outcome = processing.then(
      (): WebhookResponse => ({ status: 200 }),
      (error: unknown): WebhookResponse => {
        this.options.logger.error(
          { channel: 'slack', err: errorText(error) },
          'handling a Slack request failed',
        );
        return { status: 500, body: 'request failed' };
      },
    );
    this.options.background.add(outcome);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<WebhookResponse>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 500, body: 'not acknowledged in time' }),
        SLACK_ACK_DEADLINE_MS,
      );
    });
    // Nothing listened (an unknown action, Slack's app_rate_limited notice): a plain 200.
    const finished = outcome.then((response) => (acked ? ackAnswer : response));
    try {
      return await Promise.race([ackAnswer, finished, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function header(request: WebhookRequest, name: string): string | undefined {
  const direct = request.headers[name];
  const value =
    direct ?? Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1] ?? undefined;
  return Array.isArray(value) ? value[0] : value;
}

function parseBody(raw: string, isForm: boolean): Record<string, unknown> {
  if (isForm) {
    const fields = parseQuery(raw);
    if (typeof fields.payload === 'string') return asRecord(JSON.parse(fields.payload));
    const flat: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) flat[key] = Array.isArray(value) ? value[0] : value;
    return flat;
  }
  return asRecord(JSON.parse(raw));
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('not an object');
  return value as Record<string, unknown>;
}

function ackResponse(response: unknown): WebhookResponse {
  if (response === undefined || response === null || response === '') return { status: 200 };
  if (typeof response === 'string')
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: response };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response) };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
