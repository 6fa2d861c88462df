import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FormPart, parseMultipart } from '../multipart.js';
import { type FakeInteraction, type FakeMessage, type FakeWorld, snowflake } from './world.js';

/** One request the bot made, as the fake received it. */
export interface FakeRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Files of a multipart request (attachments), with their bytes. */
  files?: FormPart[];
  at: number;
}

/** A failure the fake answers the next matching request with (once). */
export interface Fault {
  status: number;
  /** For 429: how long Discord asks to wait. */
  retryAfterMs?: number;
  /** Only requests with this method (default POST). */
  method?: string;
  /** Only paths containing this. */
  pathIncludes?: string;
  /** Carry the request out first, then answer with the failure (an answer lost after Discord acted). */
  lostAnswer?: boolean;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The largest attachment a bot may upload (Discord's 10 MiB for servers without boosts). */
export const FAKE_UPLOAD_LIMIT = 10 * 1024 * 1024;

/** Discord answers an interaction callback only within this long. */
export const INTERACTION_DEADLINE_MS = 3_000;

type Route = (match: RegExpExecArray, request: FakeRequest) => Reply;

/**
 * The REST side of the fake Discord (`/api/v10/...`): the routes the bot uses, with Discord's
 * error shapes, a bearer check, interaction timing rules, nonce idempotency and injectable
 * faults. Everything the bot sent is recorded.
 */
export class FakeRest {
  readonly requests: FakeRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly routes: [string, RegExp, Route][];

  constructor(
    private readonly world: FakeWorld,
    private readonly options: {
      token: string;
      gatewayUrl: () => string;
      dispatch: (type: string, data: unknown) => void;
    },
  ) {
    const w = world;
    this.routes = [
      ['GET', /^\/gateway\/bot$/, () => this.gatewayBot()],
      ['GET', /^\/users\/@me$/, () => ok(w.userPayload(w.bot))],
      ['POST', /^\/users\/@me\/channels$/, (_, r) => this.openDm(r)],
      ['GET', /^\/channels\/(\d+)$/, (m) => this.getChannel(m[1] ?? '')],
      ['POST', /^\/channels\/(\d+)\/typing$/, (m) => this.typing(m[1] ?? '')],
      ['POST', /^\/channels\/(\d+)\/messages$/, (m, r) => this.createMessage(m[1] ?? '', r)],
      ['GET', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m) => this.getMessage(m[2] ?? '')],
      ['GET', /^\/channels\/(\d+)\/messages$/, (m, r) => this.listMessages(m[1] ?? '', r)],
      ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m, r) => this.editMessage(m[2] ?? '', r.body)],
      ['DELETE', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m) => this.deleteMessage(m[2] ?? '')],
      [
        'POST',
        /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
        (m, r) => this.callback(m[1] ?? '', m[2] ?? '', r),
      ],
      ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, (m, r) => this.followUp(m[2] ?? '', r)],
      [
        'PATCH',
        /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/,
        (m, r) => this.editWebhook(m[2] ?? '', m[3] ?? '', r),
      ],
      [
        'GET',
        /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/,
        (m) => this.getWebhook(m[2] ?? '', m[3] ?? ''),
      ],
      [
        'DELETE',
        /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/,
        (m) => this.deleteWebhook(m[2] ?? '', m[3] ?? ''),
      ],
      ['PUT', /^\/applications\/(\d+)\/commands$/, (m, r) => this.putCommands(m[1] ?? '', 'global', r.body)],
      [
        'PUT',
        /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
        (m, r) => this.putCommands(m[1] ?? '', m[2] ?? '', r.body),
      ],
    ];
  }

  /** Answers the next matching request with a failure (429 with `retry_after`, 5xx, 4xx). */
  injectFault(fault: Fault): void {
    this.faults.push(fault);
  }

  /** How many injected faults no request has met yet. */
  get pendingFaults(): number {
    return this.faults.length;
  }

  /** Requests matching a method and path pattern. */
  requestsTo(method: string, path: RegExp): FakeRequest[] {
    return this.requests.filter((request) => request.method === method && path.test(request.path));
  }

  /** Handles one HTTP request under `/api`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.local');
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, ''));
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    let body: unknown = null;
    let files: FormPart[] | undefined;
    const type = String(req.headers['content-type'] ?? '');
    try {
      if (type.startsWith('multipart/form-data')) {
        // Attachments: the JSON body is the `payload_json` part, files are `files[n]`.
        const parts = parseMultipart(bytes, type);
        const json = parts.find((part) => part.name === 'payload_json');
        body = json ? JSON.parse(json.data.toString('utf8')) : {};
        files = parts.filter((part) => part.filename !== undefined);
      } else if (raw.length > 0) {
        body = JSON.parse(raw);
      }
    } catch {
      return write(res, bad(50109, 'The request body contains invalid JSON.'));
    }
    const method = req.method ?? 'GET';
    const request: FakeRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      ...(files ? { files } : {}),
      at: Date.now(),
    };
    this.requests.push(request);
    const needsAuth = !path.startsWith('/interactions/') && !path.startsWith('/webhooks/');
    if (needsAuth && req.headers.authorization !== `Bot ${this.options.token}`) {
      return write(res, { status: 401, body: { message: '401: Unauthorized', code: 0 } });
    }
    const faultIndex = this.faults.findIndex(
      (fault) =>
        (fault.method ?? 'POST') === method && (!fault.pathIncludes || path.includes(fault.pathIncludes)),
    );
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault && !fault.lostAnswer) return write(res, faultReply(fault));
    for (const [routeMethod, pattern, route] of this.routes) {
      const match = pattern.exec(path);
      if (!match || routeMethod !== method) continue;
      const reply = route(match, request);
      return write(res, fault ? faultReply(fault) : reply);
    }
    return write(res, { status: 404, body: { message: '404: Not Found', code: 0 } });
  }

  private gatewayBot(): Reply {
    return ok({
      url: this.options.gatewayUrl(),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
    });
  }

  private openDm(request: FakeRequest): Reply {
    const recipient = (request.body as { recipient_id?: string } | null)?.recipient_id ?? '';
    if (!this.world.users.has(recipient)) return bad(50033, 'Invalid Recipient(s)');
    return ok(this.world.channelPayload(this.world.dmWith(recipient)));
  }

  private getChannel(channelId: string): Reply {
    const channel = this.world.channels.get(channelId);
    return channel ? ok(this.world.channelPayload(channel)) : unknownChannel();
  }

  private typing(channelId: string): Reply {
    return this.world.channels.has(channelId) ? { status: 204 } : unknownChannel();
  }

  private createMessage(channelId: string, request: FakeRequest): Reply {
    if (!this.world.channels.has(channelId)) return unknownChannel();
    const body = (request.body ?? {}) as MessageBody;
    const files = request.files ?? [];
    if (files.some((file) => file.data.length > FAKE_UPLOAD_LIMIT))
      return { status: 413, body: { message: 'Request entity too large', code: 40005 } };
    const invalid = files.length > 0 ? undefined : validate(body);
    if (invalid) return invalid;
    if (body.enforce_nonce && body.nonce !== undefined) {
      const earlier = this.world.messages.find(
        (message) =>
          message.channelId === channelId && message.nonce === String(body.nonce) && !message.deleted,
      );
      if (earlier) return ok(this.world.messagePayload(earlier));
    }
    const message: FakeMessage = {
      id: snowflake(),
      channelId,
      authorId: this.world.bot.id,
      content: body.content ?? '',
      components: body.components ?? [],
      attachments: files.map((file) => ({
        filename: file.filename ?? 'file',
        size: file.data.length,
        ...(file.contentType ? { contentType: file.contentType } : {}),
      })),
      edits: 0,
      deleted: false,
      createdAt: Date.now(),
      mentionIds: [],
      customIds: [],
    };
    this.world.rememberButtons(message);
    if (body.nonce !== undefined) message.nonce = String(body.nonce);
    const reference = body.message_reference?.message_id;
    if (reference !== undefined) message.referenceId = reference;
    this.world.messages.push(message);
    const payload = this.world.messagePayload(message);
    this.options.dispatch('MESSAGE_CREATE', payload);
    return ok(payload);
  }

  /** The channel's latest messages, newest first (`limit`, default 50), as Discord lists them. */
  private listMessages(channelId: string, request: FakeRequest): Reply {
    if (!this.world.channels.has(channelId)) return unknownChannel();
    const limit = Number(request.query.get('limit') ?? 50);
    const latest = this.world.messages
      .filter((message) => message.channelId === channelId && !message.deleted && !message.ephemeralTo)
      .reverse()
      .slice(0, limit);
    return ok(latest.map((message) => this.world.messagePayload(message)));
  }

  private getMessage(messageId: string): Reply {
    const message = this.world.message(messageId);
    return message && !message.deleted ? ok(this.world.messagePayload(message)) : unknownMessage();
  }

  private editMessage(messageId: string, raw: unknown): Reply {
    const message = this.world.message(messageId);
    if (!message || message.deleted) return unknownMessage();
    if (message.authorId !== this.world.bot.id)
      return bad(50005, 'Cannot edit a message authored by another user');
    const body = (raw ?? {}) as MessageBody;
    const invalid = validate(body, true);
    if (invalid) return invalid;
    if (body.content !== undefined) message.content = body.content;
    if (body.components !== undefined) message.components = body.components;
    this.world.rememberButtons(message);
    message.edits++;
    message.editedAt = [...(message.editedAt ?? []), Date.now()];
    const payload = this.world.messagePayload(message);
    if (!message.ephemeralTo) this.options.dispatch('MESSAGE_UPDATE', payload);
    return ok(payload);
  }

  private deleteMessage(messageId: string): Reply {
    const message = this.world.message(messageId);
    if (!message || message.deleted) return unknownMessage();
    message.deleted = true;
    return { status: 204 };
  }

  private callback(interactionId: string, token: string, request: FakeRequest): Reply {
    const interaction = this.world.interactions.get(token);
    if (!interaction || interaction.id !== interactionId) return unknownInteraction();
    if (request.at - interaction.createdAt > INTERACTION_DEADLINE_MS) return unknownInteraction();
    if (interaction.callbackType !== undefined) {
      return bad(40060, 'Interaction has already been acknowledged.');
    }
    const body = (request.body ?? {}) as { type?: number; data?: MessageBody };
    interaction.callbackType = body.type ?? 0;
    interaction.callbackAt = request.at;
    const data = body.data ?? {};
    switch (body.type) {
      case 4: // reply
      case 5: {
        // deferred reply ("thinking…"), edited later through the webhook
        const original = this.interactionMessage(
          interaction,
          body.type === 4 ? (data.content ?? '') : '',
          data,
        );
        interaction.originalId = original.id;
        if (body.type === 4) interaction.settle();
        break;
      }
      case 6: // deferred update of the clicked message
        if (interaction.messageId !== undefined) interaction.originalId = interaction.messageId;
        break;
      case 7: {
        // update the clicked message now
        if (interaction.messageId !== undefined) {
          interaction.originalId = interaction.messageId;
          this.editMessage(interaction.messageId, data);
        }
        interaction.settle();
        break;
      }
      default:
        return bad(50035, 'Invalid Form Body');
    }
    return request.query.get('with_response') === 'true'
      ? ok({ interaction: { id: interaction.id, type: interaction.kind === 'button' ? 3 : 2 } })
      : { status: 204 };
  }

  private followUp(token: string, request: FakeRequest): Reply {
    const interaction = this.world.interactions.get(token);
    if (!interaction || interaction.callbackType === undefined) return unknownWebhook();
    const body = (request.body ?? {}) as MessageBody;
    const invalid = validate(body);
    if (invalid) return invalid;
    const message = this.interactionMessage(interaction, body.content ?? '', body);
    interaction.followUpIds.push(message.id);
    interaction.settle();
    return ok(this.world.messagePayload(message));
  }

  private editWebhook(token: string, which: string, request: FakeRequest): Reply {
    const interaction = this.world.interactions.get(token);
    if (!interaction || interaction.callbackType === undefined) return unknownWebhook();
    const id = which === '@original' ? interaction.originalId : which;
    if (id === undefined) return unknownMessage();
    const reply = this.editMessage(id, request.body);
    if (reply.status === 200) interaction.settle();
    return reply;
  }

  /** Deletes an interaction's reply (`@original`) or follow-up; the bot is done answering. */
  private deleteWebhook(token: string, which: string): Reply {
    const interaction = this.world.interactions.get(token);
    if (!interaction || interaction.callbackType === undefined) return unknownWebhook();
    const id = which === '@original' ? interaction.originalId : which;
    if (id === undefined) return unknownMessage();
    const reply = this.deleteMessage(id);
    if (reply.status === 204) interaction.settle();
    return reply;
  }

  private getWebhook(token: string, which: string): Reply {
    const interaction = this.world.interactions.get(token);
    const id = which === '@original' ? interaction?.originalId : which;
    return id === undefined ? unknownMessage() : this.getMessage(id);
  }

  private putCommands(applicationId: string, scope: string, raw: unknown): Reply {
    if (applicationId !== this.world.applicationId)
      return { status: 403, body: { message: 'Missing Access', code: 50001 } };
    if (!Array.isArray(raw)) return bad(50035, 'Invalid Form Body');
    const commands = raw.map((command: { name: string; options?: unknown[] }) => ({
      ...command,
      id: snowflake(),
      application_id: applicationId,
      version: snowflake(),
      type: 1,
    }));
    this.world.commands.set(scope, commands);
    return ok(commands);
  }

  private interactionMessage(interaction: FakeInteraction, content: string, body: MessageBody): FakeMessage {
    const message: FakeMessage = {
      id: snowflake(),
      channelId: interaction.channelId,
      authorId: this.world.bot.id,
      content,
      components: body.components ?? [],
      attachments: [],
      edits: 0,
      deleted: false,
      createdAt: Date.now(),
      mentionIds: [],
      customIds: [],
    };
    if (((body.flags ?? 0) & 64) !== 0) message.ephemeralTo = interaction.userId;
    this.world.messages.push(message);
    return message;
  }
}

interface MessageBody {
  content?: string;
  components?: unknown[];
  flags?: number;
  nonce?: string | number;
  enforce_nonce?: boolean;
  message_reference?: { message_id?: string };
}

function validate(body: MessageBody, partial = false): Reply | undefined {
  if (body.content !== undefined && body.content.length > 2000) {
    return bad(50035, 'Invalid Form Body: content: Must be 2000 or fewer in length.');
  }
  if (!partial && !body.content && (body.components ?? []).length === 0) {
    return bad(50006, 'Cannot send an empty message');
  }
  if (typeof body.nonce === 'string' && body.nonce.length > 25) return bad(50035, 'Invalid Form Body: nonce');
  return undefined;
}

function faultReply(fault: Fault): Reply {
  if (fault.status !== 429) {
    return { status: fault.status, body: { message: `${fault.status}: injected failure`, code: 0 } };
  }
  const seconds = (fault.retryAfterMs ?? 1000) / 1000;
  return {
    status: 429,
    headers: {
      'retry-after': String(seconds),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': String(seconds),
      'x-ratelimit-bucket': 'fake-bucket',
      'x-ratelimit-scope': 'user',
    },
    body: { message: 'You are being rate limited.', retry_after: seconds, global: false },
  };
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const bad = (code: number, message: string): Reply => ({ status: 400, body: { message, code } });
const unknownChannel = (): Reply => ({ status: 404, body: { message: 'Unknown Channel', code: 10003 } });
const unknownMessage = (): Reply => ({ status: 404, body: { message: 'Unknown Message', code: 10008 } });
const unknownWebhook = (): Reply => ({ status: 404, body: { message: 'Unknown Webhook', code: 10015 } });
const unknownInteraction = (): Reply => ({
  status: 404,
  body: { message: 'Unknown interaction', code: 10062 },
});

function write(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
