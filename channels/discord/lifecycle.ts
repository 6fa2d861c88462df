import { once } from 'node:events';
import { type Client, Events } from 'discord.js';
import { ChannelError } from '../../src/index.js';
import { createDiscordClient } from './client.js';
import type { DiscordChannelConfig } from './config.js';
import type { DiscordContext } from './context.js';
import { CloseCodeError, explainLoginError } from './errors.js';
import { DISCORD } from './identity.js';

/** How long `start()` waits for Discord's READY before giving up. */
const READY_TIMEOUT_MS = 30_000;

/** What the connection hands each incoming event to. */
export interface DiscordListeners {
  attach(client: Client): void;
}

/**
 * The bot's connection to Discord: logs in and resolves when ready, reports `channel.up` /
 * `channel.down`, turns a bad token or a missing privileged intent into an error that says how to
 * fix it, and destroys the client on stop. discord.js reconnects and resumes on its own.
 */
export class DiscordConnection {
  private current: Client | undefined;
  /** Whether `channel.up` was recorded for the current client. */
  private up = false;

  constructor(
    private readonly config: DiscordChannelConfig,
    private readonly ctx: Pick<DiscordContext, 'gateway' | 'device'>,
    private readonly listeners: DiscordListeners,
  ) {}

  /** The connected client, if any. */
  get client(): Client | undefined {
    return this.current;
  }

  /** Logs in; resolves once Discord says READY and the guilds arrived. */
  async start(): Promise<Client> {
    if (this.current) return this.current;
    const client = createDiscordClient(this.config);
    // Current from the start, so events arriving right after READY already find the client.
    this.current = client;
    this.listeners.attach(client);
    this.watch(client);
    const closed = this.rejectOnFatalClose(client);
    const ready = once(client, Events.ClientReady);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ChannelError('transient', `Discord did not become ready within ${READY_TIMEOUT_MS / 1000}s`),
          ),
        READY_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([Promise.all([client.login(this.config.token), ready]), closed.promise, timeout]);
    } catch (error) {
      this.current = undefined;
      await client.destroy().catch(() => {});
      throw explainLoginError(error);
    } finally {
      clearTimeout(timer);
      closed.dispose();
    }
    this.up = true;
    const user = client.user;
    if (client.application && client.application.id !== this.config.applicationId) {
      this.ctx.gateway.logger.warn(
        { tokenApplication: client.application.id, configured: this.config.applicationId },
        'DISCORD_APPLICATION_ID does not match the bot token’s application; slash commands may not register',
      );
    }
    this.ctx.gateway.logger.info({ bot: user?.tag, device: this.ctx.device }, 'discord channel ready');
    await this.record('channel.up', { bot: user?.id ?? null });
    return client;
  }

  /** Disconnects and destroys the client. */
  async stop(): Promise<void> {
    const client = this.current;
    const wasUp = this.up;
    this.current = undefined;
    this.up = false;
    if (!client) return;
    await client.destroy();
    if (wasUp) await this.record('channel.down', { reason: 'stopped' });
  }

  private watch(client: Client): void {
    const log = this.ctx.gateway.logger;
    client.on(Events.ShardDisconnect, (event) => {
      if (this.current !== client || !this.up) return;
      this.up = false;
      log.error({ code: event.code }, 'discord gateway closed for good');
      void this.record('channel.down', { reason: `gateway closed (${event.code})` });
    });
    client.on(Events.ShardReconnecting, () => log.warn({}, 'discord gateway reconnecting'));
    client.on(Events.ShardResume, (_id, replayed) => log.info({ replayed }, 'discord gateway resumed'));
    client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  }

  /** Resolves never, rejects when the gateway closes with a code that no reconnect can fix. */
  private rejectOnFatalClose(client: Client): { promise: Promise<never>; dispose(): void } {
    let listener: ((event: { code: number }) => void) | undefined;
    const promise = new Promise<never>((_, reject) => {
      listener = (event) => reject(new CloseCodeError(event.code));
      client.on(Events.ShardDisconnect, listener);
    });
    return {
      promise,
      dispose: () => {
        if (listener) client.off(Events.ShardDisconnect, listener);
      },
    };
  }

  private async record(type: string, data: Record<string, unknown>): Promise<void> {
    try {
      await this.ctx.gateway.recordEvent(type, { channel: DISCORD, device: this.ctx.device, ...data });
    } catch (error) {
      this.ctx.gateway.logger.warn({ err: error, type }, 'journal event not recorded');
    }
  }
}
