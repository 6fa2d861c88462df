import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { parseMultipart } from '../multipart.js';
import { FakeFileHost, FILES_PATH } from './files.js';

/** One Web API call the bot made, with its arguments decoded. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token sent, to check which token was used (never printed). */
  token: string | undefined;
}

/** A message as the fake workspace holds it. */
export interface FakeMessage {
  ts: string;
  channel: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** Who posted it: the bot's user id or a person's. */
  user: string;
  bot_id?: string;
  /** How many times it was edited with `chat.update`. */
  edits: number;
  /** When each edit happened (ms), to check edit rates. */
  editedAt?: number[];
  deleted: boolean;
  /** Set for `chat.postEphemeral`: only this user sees it. */
  ephemeralTo?: string;
  /** Files shared with it (files upload v2). */
  files?: { id: string; name: string; size: number }[];
  /** Message metadata (`event_type`, `event_payload`), returned only with `include_all_metadata`. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/**
 * A fault to answer the next call of a method with. `lostAnswer` carries the call out (the
 * message is posted) and then answers 500, as when a connection drops after Slack accepted it.
 */
export type Fault =
  | { status: 429; retryAfter: number }
  | { status: number }
  | { error: string }
  | { lostAnswer: true; onlyIf?: (args: Record<string, unknown>) => boolean };

/** A body POSTed to a `response_url` (Bolt's `respond`). */
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

/**
 * A local stand-in of Slack's Web API (`/api/<method>`) and of `response_url`s
 * (`/response/<id>`), recording every call. It keeps the workspace's messages so tests can assert
 * what a person sees, and can answer the next call of a method with a fault (429 + Retry-After,
 * 5xx, or a platform error). Private files shared in the workspace are served by `fileHost`.
 */
export class FakeSlackApi {
  readonly team = 'T0FAKE';
  readonly botUserId = 'U0BOT';
  readonly botId = 'B0BOT';
  readonly calls: RecordedCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly responses: ResponseUrlPost[] = [];
  /** The bot token the workspace installed the app with; private files are served only to it. */
  botToken = 'xoxb-test';
  /** Private files (`url_private`), served under `/files-pri/`. */
  readonly fileHost = new FakeFileHost(
    () => this.base,
    this.team,
    () => this.botToken,
  );
  /** What `apps.connections.open` returns as the Socket Mode URL. */
  socketUrl: string | undefined;
  private readonly faults = new Map<string, { fault: Fault; skip: number }[]>();
  /** Files of upload v2 between getUploadURLExternal and completeUploadExternal. */
  private readonly uploads = new Map<string, { name: string; length: number; size?: number }>();
  private server: Server | undefined;
  private base = '';
  private clock = 1_712_345_000;
  private counter = 0;
  private responseIds = 0;

  /** The base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.base;
  }

  /** What to set as `apiUrl` / `SLACK_API_URL`. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** Starts listening on a free local port. */
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.route(req, res);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = undefined;
  }

  /**
   * Answers the next call of `method` with `fault` (queued: several calls fail in order); with
   * `afterCalls`, that many calls succeed first.
   */
  failNext(method: string, fault: Fault, afterCalls = 0): void {
    const queue = this.faults.get(method) ?? [];
    queue.push({ fault, skip: afterCalls });
    this.faults.set(method, queue);
  }

  /** How many injected faults no call has met yet. */
  get pendingFaults(): number {
    return [...this.faults.values()].reduce((sum, queue) => sum + queue.length, 0);
  }

  /** The calls of one method, in order. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** A fresh response URL served by this fake. */
  responseUrl(): string {
    this.responseIds += 1;
    return `${this.base}/response/${this.responseIds}`;
  }

  /** A new message ts, increasing like Slack's. */
  nextTs(): string {
    this.counter += 1;
    return `${this.clock + this.counter}.${String(this.counter).padStart(6, '0')}`;
  }

  /** Records a person's message in the workspace (what `conversations.replies` shows). */
  addUserMessage(message: {
    channel: string;
    user: string;
    text: string;
    ts?: string;
    thread_ts?: string;
  }): FakeMessage {
    const stored: FakeMessage = {
      ts: message.ts ?? this.nextTs(),
      channel: message.channel,
      text: message.text,
      user: message.user,
      edits: 0,
      deleted: false,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    };
    this.messages.push(stored);
    return stored;
  }

  /** Messages the bot posted (including ephemerals and deleted ones), in order. */
  botMessages(): FakeMessage[] {
    return this.messages.filter((message) => message.user === this.botUserId);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/upload/')) {
      // The external upload URL of files upload v2: the bytes of one file.
      const pending = this.uploads.get(path.slice('/upload/'.length));
      if (!pending) return reply(res, 404, { ok: false, error: 'unknown_upload' });
      // The Web API client posts it as form data (one file part) or as the raw bytes.
      const bytes = Buffer.concat(chunks);
      const type = String(req.headers['content-type'] ?? '');
      const file = type.startsWith('multipart/form-data')
        ? parseMultipart(bytes, type).find((part) => part.filename !== undefined)?.data
        : bytes;
      pending.size = file?.length ?? 0;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK - 1');
      return;
    }
    if (path.startsWith(FILES_PATH)) return this.fileHost.serve(req, res, path);
    if (path.startsWith('/response/')) {
      this.responses.push({ id: path.slice('/response/'.length), body: JSON.parse(raw || '{}') });
      return reply(res, 200, { ok: true });
    }
    if (!path.startsWith('/api/')) return reply(res, 404, { ok: false, error: 'unknown_path' });
    const method = path.slice('/api/'.length);
    const args = decodeArgs(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization;
    this.calls.push({ method, args, token: auth?.replace(/^Bearer /, '') });
    const fault = this.takeFault(method, args);
    if (fault && 'lostAnswer' in fault) {
      this.answer(method, args);
      return reply(res, 500, { ok: false, error: 'fake_lost_answer' });
    }
    if (fault) {
      if ('error' in fault) return reply(res, 200, { ok: false, error: fault.error });
      if (fault.status === 429 && 'retryAfter' in fault) {
        return reply(
          res,
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(fault.retryAfter) },
        );
      }
      return reply(res, fault.status, { ok: false, error: 'fake_http_error' });
    }
    return reply(res, 200, this.answer(method, args));
  }

  private takeFault(method: string, args: Record<string, unknown>): Fault | undefined {
    const head = this.faults.get(method)?.[0];
    if (!head) return undefined;
    if ('onlyIf' in head.fault && head.fault.onlyIf && !head.fault.onlyIf(args)) return undefined;
    if (head.skip > 0) {
      head.skip -= 1;
      return undefined;
    }
    this.faults.get(method)?.shift();
    return head.fault;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake Team',
          team_id: this.team,
          user: 'switchboard',
          user_id: this.botUserId,
          bot_id: this.botId,
        };
      case 'chat.postMessage': {
        const message = this.post(args);
        return { ok: true, channel: message.channel, ts: message.ts, message: { ...message } };
      }
      case 'chat.postEphemeral': {
        const message = this.post(args, String(args.user));
        return { ok: true, message_ts: message.ts };
      }
      case 'chat.update': {
        const message = this.find(args);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? message.text);
        if (args.blocks !== undefined) message.blocks = args.blocks as unknown[];
        message.edits += 1;
        message.editedAt = [...(message.editedAt ?? []), Date.now()];
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.delete': {
        const message = this.find(args);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.deleted = true;
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'assistant.threads.setStatus':
        return { ok: true };
      case 'files.getUploadURLExternal': {
        this.counter += 1;
        const id = `F0FAKE${this.counter}`;
        this.uploads.set(id, { name: String(args.filename), length: Number(args.length) });
        return { ok: true, upload_url: `${this.base}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const listed = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as {
          id: string;
        }[];
        const files = listed.map(({ id }) => {
          const upload = this.uploads.get(id);
          if (upload?.size === undefined || upload.size !== upload.length)
            throw new Error(`file ${id} not uploaded`);
          return { id, name: upload.name, size: upload.size };
        });
        const message = this.post({
          channel: args.channel_id,
          text: args.initial_comment ?? '',
          ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
        });
        message.files = files;
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.name })) };
      }
      case 'conversations.replies': {
        const thread = String(args.ts);
        const replies = this.messages.filter(
          (m) =>
            m.channel === args.channel &&
            !m.ephemeralTo &&
            !m.deleted &&
            (m.ts === thread || m.thread_ts === thread),
        );
        return { ok: true, messages: replies.map((m) => shown(m, args)), has_more: false };
      }
      case 'conversations.history': {
        // Newest first, top-level messages only, like Slack.
        const history = this.messages
          .filter((m) => m.channel === args.channel && !m.ephemeralTo && !m.deleted && !m.thread_ts)
          .reverse()
          .slice(0, Number(args.limit ?? 100));
        return { ok: true, messages: history.map((m) => shown(m, args)), has_more: false };
      }
      case 'apps.connections.open':
        return this.socketUrl
          ? { ok: true, url: this.socketUrl }
          : { ok: false, error: 'socket_mode_not_configured' };
      case 'users.info':
        return { ok: true, user: { id: String(args.user), team_id: this.team, name: String(args.user) } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private post(args: Record<string, unknown>, ephemeralTo?: string): FakeMessage {
    const message: FakeMessage = {
      ts: this.nextTs(),
      channel: String(args.channel),
      text: String(args.text ?? ''),
      user: this.botUserId,
      bot_id: this.botId,
      edits: 0,
      deleted: false,
      ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
      ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      ...(ephemeralTo ? { ephemeralTo } : {}),
      ...(isMetadata(args.metadata) ? { metadata: args.metadata } : {}),
    };
    this.messages.push(message);
    return message;
  }

  private find(args: Record<string, unknown>): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === args.channel && m.ts === args.ts && !m.deleted);
  }
}

/** A message as a read method returns it: metadata only when `include_all_metadata` was asked for. */
function shown(message: FakeMessage, args: Record<string, unknown>): Record<string, unknown> {
  const { metadata, ...rest } = message;
  const all = args.include_all_metadata === true || args.include_all_metadata === 'true';
  return all && metadata ? { ...rest, metadata } : { ...rest };
}

function isMetadata(value: unknown): value is NonNullable<FakeMessage['metadata']> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { event_type?: unknown }).event_type === 'string'
  );
}

function decodeArgs(raw: string, contentType: string): Record<string, unknown> {
  if (raw.length === 0) return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parseQuery(raw))) {
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined) continue;
    out[key] = /^[[{]/.test(text) ? tryJson(text) : text;
  }
  return out;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
