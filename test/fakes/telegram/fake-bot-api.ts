import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotCommand, Update, UserFromGetMe } from 'grammy/types';
import type { WebhookRequest, WebhookResponse } from '../../../src/index.js';
import { ChatLog, type FakeMessage } from './chat-log.js';
import { FakeFiles } from './files.js';
import { UpdateQueue } from './update-queue.js';
import { asUpdate, entitiesOf, type FakeChat, type FakeUser, privateChatOf } from './updates.js';
import { fail, ok, type Result, readPayload } from './wire.js';

export type { FakeButton, FakeMessage } from './chat-log.js';

/** One Bot API call the fake received. */
export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
}

/** An `answerCallbackQuery` the bot made. */
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
}

interface Fault {
  method: string;
  code: number;
  description: string;
  retryAfter?: number;
  onlyWithParseMode?: boolean;
  times: number;
  /** Let this many matching calls through first. */
  skip: number;
  /** Carry the call out first, then answer with the failure (an answer lost after Telegram acted). */
  lostAnswer?: boolean;
}

/**
 * A local stand-in of the Telegram Bot API at `<apiRoot>/bot<token>/<method>`, for grammY's
 * `client.apiRoot`. It keeps an update queue with Telegram's offset semantics (an update is
 * confirmed by a getUpdates whose offset is above it), answers a second concurrent poller's
 * predecessor with 409, stores the messages the bot posts (with HTML parsed like Telegram does),
 * records every call, and can be told to fail the next calls (429, can't parse entities, 5xx).
 * Files people send are served by `files` (getFile and `/file/bot<token>/<path>`).
 */
export class FakeBotApi {
  readonly token = '123456789:TEST-fake-token_abcdefghijklmnopqrstuv';
  readonly bot: UserFromGetMe = {
    id: 123456789,
    is_bot: true,
    first_name: 'Switchboard',
    username: 'switchboard_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
  } as UserFromGetMe;
  readonly calls: RecordedCall[] = [];
  readonly answers: CallbackAnswer[] = [];
  readonly chatActions: Record<string, unknown>[] = [];
  commands: BotCommand[] = [];
  webhook: { url: string; secret_token?: string } | null = null;
  /** Files people sent: getFile and downloads. */
  readonly files = new FakeFiles(this.token);

  private readonly chats = new ChatLog(this.bot);
  private readonly updates = new UpdateQueue(() => this.notify());
  private nextUpdateId = 700_000;
  private nextCallbackId = 1;
  private readonly issuedCallbacks = new Set<string>();
  private readonly faults: Fault[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  /** Starts the fake on a free local port. */
  static async start(): Promise<FakeBotApi> {
    let fake: FakeBotApi | undefined;
    const server = createServer((req, res) => void fake?.onRequest(req, res));
    fake = new FakeBotApi(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The value for grammY's `client.apiRoot` (TELEGRAM_API_ROOT). */
  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The messages the bot posted, as people now see them. */
  get messages(): FakeMessage[] {
    return this.chats.messages;
  }

  /** How long an idle getUpdates is held at most, whatever `timeout` asks for. */
  get maxWaitMs(): number {
    return this.updates.maxWaitMs;
  }

  set maxWaitMs(ms: number) {
    this.updates.maxWaitMs = ms;
  }

  /** Stops listening, ending a waiting long poll. */
  async stop(): Promise<void> {
    this.updates.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** How many injected faults no call has met yet. */
  get pendingFaults(): number {
    return this.faults.length;
  }

  /** The recorded calls of one method. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Updates still waiting to be confirmed. */
  pending(): Update[] {
    return this.updates.pending();
  }

  // ---- fault injection -------------------------------------------------------------------

  /** The next sendMessage that sets `parse_mode` fails with "can't parse entities". */
  failNextParse(): void {
    this.faults.push({
      method: 'sendMessage',
      code: 400,
      description:
        "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 7",
      onlyWithParseMode: true,
      times: 1,
      skip: 0,
    });
  }

  /** The next `times` calls of `method` answer 429 with `retry_after`. */
  rateLimitNext(method: string, retryAfterSeconds: number, times = 1): void {
    this.faults.push({
      method,
      code: 429,
      description: `Too Many Requests: retry after ${retryAfterSeconds}`,
      retryAfter: retryAfterSeconds,
      times,
      skip: 0,
    });
  }

  /** After `skip` more successful calls, the next `times` calls of `method` fail with `code`. */
  failNext(
    method: string,
    code: number,
    description: string,
    options: { times?: number; skip?: number } = {},
  ): void {
    this.faults.push({ method, code, description, times: options.times ?? 1, skip: options.skip ?? 0 });
  }

  /** The next call of `method` is carried out, but its answer is a 500, as if the connection dropped. */
  loseNextAnswer(method: string): void {
    this.faults.push({
      method,
      code: 500,
      description: 'Internal Server Error',
      times: 1,
      skip: 0,
      lostAnswer: true,
    });
  }

  // ---- updates ---------------------------------------------------------------------------

  /** Builds (does not queue) a message update from a person. */
  makeMessage(options: {
    from: FakeUser;
    chat?: FakeChat;
    text?: string;
    caption?: string;
    /** Post it inside this forum topic. */
    topicId?: number;
    /** Reply to this message the bot posted. */
    replyTo?: FakeMessage;
    document?: {
      file_id: string;
      file_unique_id: string;
      file_name?: string;
      mime_type?: string;
      file_size?: number;
    };
    photo?: { file_id: string; file_unique_id: string; width: number; height: number; file_size?: number }[];
    /** Skip this many update ids first (Telegram's ids can jump). */
    gap?: number;
  }): Update {
    const chat = options.chat ?? privateChatOf(options.from);
    const message: Record<string, unknown> = {
      message_id: this.chats.nextId(),
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { is_bot: false, ...options.from },
    };
    if (options.text !== undefined) {
      message.text = options.text;
      const entities = entitiesOf(options.text);
      if (entities.length > 0) message.entities = entities;
    }
    if (options.caption !== undefined) {
      message.caption = options.caption;
      const entities = entitiesOf(options.caption);
      if (entities.length > 0) message.caption_entities = entities;
    }
    if (options.document) message.document = options.document;
    if (options.photo) message.photo = options.photo;
    if (options.topicId !== undefined) {
      message.message_thread_id = options.topicId;
      message.is_topic_message = true;
      // In a topic, a message that is no reply still "replies" to the topic's creation message.
      message.reply_to_message = {
        message_id: options.topicId,
        date: 0,
        chat,
        from: { id: 1, is_bot: false, first_name: 'Topic creator' },
        message_thread_id: options.topicId,
        forum_topic_created: { name: 'Topic', icon_color: 0x6fb9f0 },
      };
    }
    if (options.replyTo) message.reply_to_message = this.chats.wireMessage(options.replyTo);
    this.nextUpdateId += options.gap ?? 0;
    return asUpdate({ update_id: this.nextUpdateId++, message });
  }

  /** Builds (does not queue) a click on an inline button of a message the bot posted. */
  makeCallback(options: { from: FakeUser; message: FakeMessage; data: string }): Update {
    const id = `cbq-${this.nextCallbackId++}`;
    this.issuedCallbacks.add(id);
    return asUpdate({
      update_id: this.nextUpdateId++,
      callback_query: {
        id,
        from: { is_bot: false, ...options.from },
        chat_instance: `ci${options.message.chat_id}`,
        message: this.chats.wireMessage(options.message),
        data: options.data,
      },
    });
  }

  /** Queues an update for getUpdates. */
  enqueue(update: Update): Update {
    this.updates.enqueue(update);
    return update;
  }

  /** Puts a confirmed update back, as if the poller had crashed before confirming it. */
  requeue(update: Update): void {
    if (!this.updates.has(update.update_id)) this.enqueue(update);
  }

  /** Resolves once `updateId` was confirmed by a getUpdates with a higher offset. */
  async waitForConfirmed(updateId: number, timeoutMs = 5000): Promise<void> {
    await this.until(() => !this.updates.has(updateId), timeoutMs, `update ${updateId}`);
  }

  /** Resolves once `predicate` holds (checked on every call the fake serves and every 10 ms). */
  async until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`fake Bot API: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 10);
        const listeners = this.listeners;
        function done() {
          clearTimeout(timer);
          listeners.delete(done);
          resolve();
        }
        listeners.add(done);
      });
    }
  }

  /** Posts `update` to a webhook handler as Telegram would, with the secret set by setWebhook. */
  deliverToWebhook(
    handler: (request: WebhookRequest) => Promise<WebhookResponse>,
    update: Update,
    secret: string | null = this.webhook?.secret_token ?? null,
  ): Promise<WebhookResponse> {
    return handler({
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }),
      },
      rawBody: Buffer.from(JSON.stringify(update)),
    });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (this.files.serve(path, res)) return;
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(path);
    if (!match) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token)
      return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = match[2] ?? '';
    const payload = await readPayload(req);
    this.calls.push({ method, payload });
    this.notify();
    const fault = this.takeFault(method, payload);
    if (fault) {
      if (fault.lostAnswer) this.call(method, payload);
      const { status, body } = fail(fault.code, fault.description, fault.retryAfter);
      return send(status, body);
    }
    if (method === 'getUpdates') return this.updates.getUpdates(payload, res, send, this.webhook !== null);
    const { status, body } = this.call(method, payload);
    send(status, body);
  }

  private takeFault(method: string, payload: Record<string, unknown>): Fault | undefined {
    const index = this.faults.findIndex(
      (f) => f.method === method && (!f.onlyWithParseMode || payload.parse_mode !== undefined),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (fault.skip > 0) {
      fault.skip--;
      return undefined;
    }
    fault.times--;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private call(method: string, p: Record<string, unknown>): Result {
    switch (method) {
      case 'getMe':
        return ok(this.bot);
      case 'sendMessage':
        return this.chats.sendMessage(p);
      case 'sendDocument':
        return this.chats.sendFile(p, 'document');
      case 'sendPhoto':
        return this.chats.sendFile(p, 'photo');
      case 'deleteMessage':
        return this.chats.delete(p);
      case 'editMessageText':
        return this.chats.edit(p, true);
      case 'editMessageReplyMarkup':
        return this.chats.edit(p, false);
      case 'answerCallbackQuery': {
        const id = String(p.callback_query_id);
        if (!this.issuedCallbacks.delete(id)) {
          return fail(
            400,
            'Bad Request: query is too old and response timeout expired or query ID is invalid',
          );
        }
        this.answers.push({
          callback_query_id: id,
          ...(typeof p.text === 'string' ? { text: p.text } : {}),
          ...(typeof p.show_alert === 'boolean' ? { show_alert: p.show_alert } : {}),
        });
        return ok(true);
      }
      case 'setMyCommands':
        this.commands = (p.commands as BotCommand[] | undefined) ?? [];
        return ok(true);
      case 'sendChatAction':
        this.chatActions.push(p);
        return ok(true);
      case 'setWebhook':
        this.webhook = {
          url: String(p.url),
          ...(typeof p.secret_token === 'string' ? { secret_token: p.secret_token } : {}),
        };
        return ok(true);
      case 'deleteWebhook':
        this.webhook = null;
        if (p.drop_pending_updates === true) this.updates.clear();
        return ok(true);
      case 'getFile':
        return this.files.getFile(p);
      case 'getWebhookInfo':
        return ok({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0 });
      default:
        return fail(404, 'Not Found: method not found');
    }
  }
}
