import { createHmac } from 'node:crypto';
import type { WebhookRequest, WebhookResponse } from '../../../src/index.js';

/** The handler a channel registered with `gateway.registerWebhook`. */
export type WebhookHandler = (request: WebhookRequest) => Promise<WebhookResponse>;

/** Options of one signed request. */
export interface SignOptions {
  /** Seconds since the epoch put in `X-Slack-Request-Timestamp` (default: now). */
  timestamp?: number;
  /** Sign with this secret instead of the right one (a forged request). */
  secret?: string;
  retryNum?: number;
  retryReason?: string;
}

/** Slack's v0 signature of a body: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Builds a forwarded HTTP request signed the way Slack signs it. */
export function signedRequest(
  signingSecret: string,
  body: string,
  contentType: string,
  options: SignOptions = {},
): WebhookRequest {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(options.secret ?? signingSecret, timestamp, body),
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  return { method: 'POST', headers, rawBody: Buffer.from(body, 'utf8') };
}

/** An Events API `event_callback` envelope around `event`. */
export function eventEnvelope(
  event: Record<string, unknown>,
  team: string,
  eventId: string,
): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: team,
    api_app_id: 'A0FAKE',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: team, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
  };
}

/**
 * Sends correctly signed Slack requests to the webhook a channel registered: Events API as JSON,
 * interactivity as a form with a `payload` field, slash commands as a form — as Slack does.
 */
export class SlackRequestSender {
  private events = 0;

  constructor(
    private readonly signingSecret: string,
    private readonly handler: () => WebhookHandler,
  ) {}

  /** Delivers an Events API event; returns the HTTP answer. */
  async event(
    event: Record<string, unknown>,
    options: SignOptions & { team?: string; eventId?: string } = {},
  ): Promise<WebhookResponse> {
    this.events += 1;
    const body = JSON.stringify(
      eventEnvelope(event, options.team ?? 'T0FAKE', options.eventId ?? `Ev${this.events}`),
    );
    return this.handler()(signedRequest(this.signingSecret, body, 'application/json', options));
  }

  /** Sends a raw JSON body (url_verification, or a tampered body). */
  async json(body: Record<string, unknown>, options: SignOptions = {}): Promise<WebhookResponse> {
    return this.handler()(
      signedRequest(this.signingSecret, JSON.stringify(body), 'application/json', options),
    );
  }

  /** Sends an interactivity payload (`block_actions`…) form-encoded as `payload=<json>`. */
  async interaction(payload: Record<string, unknown>, options: SignOptions = {}): Promise<WebhookResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.handler()(
      signedRequest(this.signingSecret, body, 'application/x-www-form-urlencoded', options),
    );
  }

  /** Sends a slash command, form-encoded. */
  async slash(fields: Record<string, string>, options: SignOptions = {}): Promise<WebhookResponse> {
    const body = new URLSearchParams(fields).toString();
    return this.handler()(
      signedRequest(this.signingSecret, body, 'application/x-www-form-urlencoded', options),
    );
  }
}
