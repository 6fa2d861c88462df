import {
  ApplicationCommandOptionType,
  type ChatInputCommandInteraction,
  MessageFlags,
  Routes,
} from 'discord.js';
import { type CommandRequest, splitMessage } from '../../src/index.js';
import { DISCORD_MESSAGE_LIMIT } from './config.js';
import type { DiscordContext } from './context.js';
import { toChannelError } from './errors.js';
import { conversationOf, placeOfInteraction, principalOf, sessionKeyOf } from './identity.js';

/** The slash commands Switchboard registers, as Discord application command JSON. */
export const SLASH_COMMANDS = [
  {
    name: 'cancel',
    description: 'Cancel the running request here, or a run by id',
    options: [
      {
        name: 'run',
        description: 'Run id (default: the current run here)',
        type: ApplicationCommandOptionType.String,
      },
    ],
  },
  {
    name: 'usage',
    description: 'Token and tool usage: yours, a user’s, or everyone’s',
    options: [
      { name: 'user', description: 'Whose usage (default: yours)', type: ApplicationCommandOptionType.User },
      { name: 'all', description: 'Everyone’s usage', type: ApplicationCommandOptionType.Boolean },
      {
        name: 'days',
        description: 'How many days back (default 7)',
        type: ApplicationCommandOptionType.Integer,
        min_value: 1,
        max_value: 365,
      },
    ],
  },
  { name: 'status', description: 'What the agent is doing in this conversation', options: [] },
  { name: 'approvals', description: 'Approvals waiting for a decision', options: [] },
  { name: 'new', description: 'Start a fresh session here (the earlier one stays readable)', options: [] },
  {
    name: 'grants',
    description: 'Grants “Always allow” made; revoke one by id',
    options: [
      { name: 'revoke', description: 'Id of the grant to revoke', type: ApplicationCommandOptionType.String },
    ],
  },
  { name: 'help', description: 'What Switchboard’s commands do', options: [] },
  {
    name: 'access',
    description: 'Who asked to be let in, and who was; grant or revoke (admins)',
    options: [
      {
        name: 'args',
        description: 'grant <who> [group] | revoke <who> [group] (default: the list)',
        type: ApplicationCommandOptionType.String,
      },
    ],
  },
  {
    name: 'link',
    description: 'Link this account to yours on another platform',
    options: [
      {
        name: 'args',
        description: 'The code your other account showed (default: show a code here)',
        type: ApplicationCommandOptionType.String,
      },
    ],
  },
] as const;

type CommandName = (typeof SLASH_COMMANDS)[number]['name'];

/**
 * Registers the slash commands: per guild when `guildIds` is set (instant), otherwise globally.
 * A failure is logged with the likely fix and does not stop the channel.
 */
export async function registerCommands(ctx: DiscordContext): Promise<void> {
  const { applicationId, guildIds } = ctx.config;
  const routes =
    guildIds.length > 0
      ? guildIds.map((guildId) => Routes.applicationGuildCommands(applicationId, guildId))
      : [Routes.applicationCommands(applicationId)];
  for (const route of routes) {
    try {
      await ctx.rest().put(route, { body: SLASH_COMMANDS });
    } catch (error) {
      ctx.gateway.logger.warn(
        { err: toChannelError(error, 'register slash commands') },
        'discord slash commands not registered: invite the bot with the applications.commands scope and check DISCORD_APPLICATION_ID',
      );
    }
  }
}

/**
 * Answers a slash command ephemerally with the gateway's text: defers first (Discord allows 3
 * seconds), then edits the deferred reply; long answers continue in ephemeral follow-ups. The
 * interaction id is the command's event id. An interaction seen again (replayed after a gateway
 * resume) usually cannot be deferred twice and is dropped there; if it can, the gateway answers
 * `duplicate` and the deferred reply is deleted, so nothing is posted a second time.
 */
export async function answerCommand(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const name = SLASH_COMMANDS.find((command) => command.name === interaction.commandName)?.name;
  if (name === undefined) return;
  const log = ctx.gateway.logger;
  try {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  } catch (error) {
    log.warn({ err: error, command: name }, 'discord slash command could not be acknowledged in time');
    return;
  }
  let text: string;
  try {
    const response = await ctx.gateway.command(commandRequestOf(ctx, interaction, name));
    if (response.duplicate) {
      await interaction.deleteReply().catch((error: unknown) => {
        log.warn(
          { err: error, command: name },
          'discord duplicate slash command: deferred reply not deleted',
        );
      });
      return;
    }
    text = response.text.trim() === '' ? (response.ok ? 'Done.' : 'That did not work.') : response.text;
  } catch (error) {
    log.error({ err: error, command: name }, 'discord slash command failed');
    text = 'Something went wrong running that command. Please try again.';
  }
  try {
    const [first = '', ...rest] = splitMessage(text, DISCORD_MESSAGE_LIMIT);
    await interaction.editReply({ content: first, allowedMentions: { parse: [] } });
    for (const content of rest) {
      await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    }
  } catch (error) {
    log.warn({ err: error, command: name }, 'discord slash command answer failed');
  }
}

/**
 * Parses a slash command into the gateway's request: `/cancel [run]` → `[run]`;
 * `/usage [user|all] [days]` → `[discord:<id> | all, days]` (each only when given).
 */
export function commandRequestOf(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction,
  name: CommandName,
): CommandRequest {
  const args: string[] = [];
  const option = (key: string) => interaction.options.get(key)?.value;
  if (name === 'cancel') {
    const run = option('run');
    if (typeof run === 'string' && run.trim() !== '') args.push(run.trim());
  } else if (name === 'usage') {
    const user = option('user');
    if (option('all') === true) args.push('all');
    else if (typeof user === 'string') args.push(principalOf(user));
    const days = option('days');
    if (typeof days === 'number') args.push(String(days));
  } else if (name === 'grants') {
    const revoke = option('revoke');
    if (typeof revoke === 'string' && revoke.trim() !== '') args.push('revoke', revoke.trim());
  } else if (name === 'access' || name === 'link') {
    const words = option('args');
    if (typeof words === 'string') args.push(...words.trim().split(/\s+/).filter(Boolean));
  }
  const place = placeOfInteraction(interaction);
  return {
    name,
    args,
    principal: principalOf(interaction.user.id),
    sessionKey: sessionKeyOf(place, ctx.config.sessionScope),
    conversation: conversationOf(place),
    eventId: interaction.id,
  };
}
