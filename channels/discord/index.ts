/**
 * The Discord channel: discord.js 14 against the gateway port. Inbound mapping, outbound
 * rendering, approval cards, slash commands and the connection live in their own files; this one
 * wires them into a `Channel`.
 */
import { type Client, Events } from 'discord.js';
import type { Channel, GatewayPort } from '../../src/index.js';
import { DiscordApprovals } from './approvals.js';
import { answerCommand, registerCommands } from './commands.js';
import { DISCORD_DRAFT_INTERVAL_MS, DISCORD_TYPING_REFRESH_MS, type DiscordChannelConfig } from './config.js';
import { type DiscordContext, throwNotStarted } from './context.js';
import { DISCORD, deviceOf } from './identity.js';
import { DiscordInbound } from './inbound.js';
import { DiscordConnection } from './lifecycle.js';
import { DiscordOutbound } from './outbound.js';

export type { DiscordChannelConfig } from './config.js';

/**
 * Creates the Discord channel. Nothing connects until `start()`, which logs in, waits for READY
 * and registers the slash commands; `stop()` disconnects. It is a `singleton`: a second gateway
 * connection with the same token would receive every message again, so only one replica holds it.
 */
export function createDiscordChannel(config: DiscordChannelConfig, gateway: GatewayPort): Channel {
  let connection: DiscordConnection | undefined;
  const ctx: DiscordContext = {
    config,
    gateway,
    device: deviceOf(config.applicationId),
    rest: () => connection?.client?.rest ?? throwNotStarted(),
    botUserId: () => connection?.client?.user?.id,
  };
  const outbound = new DiscordOutbound(ctx);
  const inbound = new DiscordInbound(ctx, outbound);
  const approvals = new DiscordApprovals(ctx, outbound);
  const log = gateway.logger;

  const attach = (client: Client) => {
    client.on(Events.MessageCreate, (message) => {
      void inbound.onMessage(message);
    });
    client.on(Events.InteractionCreate, (interaction) => {
      const handled = interaction.isButton()
        ? approvals.onButton(interaction)
        : interaction.isChatInputCommand()
          ? answerCommand(ctx, interaction)
          : Promise.resolve();
      handled.catch((error: unknown) => log.error({ err: error }, 'discord interaction failed'));
    });
  };
  connection = new DiscordConnection(config, ctx, { attach });

  return {
    name: DISCORD,
    singleton: true,
    async start() {
      await connection?.start();
      await registerCommands(ctx);
    },
    async stop() {
      await connection?.stop();
    },
    send: (message) => outbound.send(message),
    presentApproval: (card) => approvals.present(card),
    updateApproval: (card) => approvals.update(card),
    // A DM has no guild.
    isPrivate: (conversation) => conversation.workspace === undefined,
    showActivity: (conversation, status) => outbound.showActivity(conversation, status),
    activityRefreshMs: DISCORD_TYPING_REFRESH_MS,
    showDraft: (conversation, text, shown, key) => outbound.showDraft(conversation, text, shown, key),
    draftIntervalMs: () => DISCORD_DRAFT_INTERVAL_MS,
  };
}
