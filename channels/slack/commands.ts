import type { App, SlashCommand } from '@slack/bolt';
import type { CommandRequest, GatewayPort, SessionScope } from '../../src/index.js';
import { conversationOf, principalOf, SLACK, sessionKeyOf } from './identity.js';

type SubCommand = Exclude<CommandRequest['name'], 'help'>;
const SUB_COMMANDS: readonly SubCommand[] = [
  'cancel',
  'usage',
  'status',
  'approvals',
  'new',
  'grants',
  'access',
  'link',
];

/**
 * The line put before the gateway's help text, naming Slack's one slash command: on Slack every
 * sub-command is typed after it (`/switchboard status`), unlike the other platforms' `/status`.
 */
export function helpPreface(command: string): string {
  return `Type \`${command} <command>\`, for example \`${command} status\`.`;
}

/** A parsed command line: a known sub-command with its arguments, or `help` (also for an unknown one). */
export type ParsedCommand = { name: SubCommand; args: string[] } | { name: 'help' };

/**
 * Parses the text after the slash command. User mentions (`<@U123|ann>`, when Slack escapes them)
 * become principals `slack:<team>:<user>`, so `usage @ann 7` reads as `usage slack:T1:U123 7`.
 */
export function parseCommandText(text: string, team: string): ParsedCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.toLowerCase();
  const name = SUB_COMMANDS.find((known) => known === first);
  if (!name) return { name: 'help' };
  const args = words.slice(1).map((word) => {
    const mention = /^<@([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
    return mention?.[1] ? principalOf(team, mention[1]) : word;
  });
  return { name, args };
}

/**
 * Registers the slash command: ack at once (Slack allows 3 s, the work may take longer), then run
 * it through `gateway.command` and answer only the caller, through the command's response URL.
 * The trigger id is the command's event id; an answer the gateway marks `duplicate` is not sent.
 * (Slack documents no redelivery of a slash command — a late ack shows the caller an error —
 * so this guards against a replay, not a routine retry.)
 */
export function registerCommand(
  app: App,
  options: { command: string; scope: SessionScope; gateway: GatewayPort },
): void {
  app.command(options.command, async ({ ack, command, respond }) => {
    await ack();
    const text = await answer(command, options);
    if (text !== undefined) await respond({ response_type: 'ephemeral', text });
  });
}

/** The caller's answer, or undefined when the gateway saw this command event before. */
async function answer(
  command: SlashCommand,
  options: { command: string; scope: SessionScope; gateway: GatewayPort },
): Promise<string | undefined> {
  const team = command.team_id;
  const parsed = parseCommandText(command.text ?? '', team);
  const place = { team, channel: command.channel_id, thread: undefined };
  const request: CommandRequest = {
    name: parsed.name,
    args: parsed.name === 'help' ? [] : parsed.args,
    principal: principalOf(team, command.user_id),
    conversation: conversationOf(place),
    // Slash commands carry no thread: per-thread sessions cannot be named from a channel, only a DM's.
    ...(options.scope !== 'thread' || command.channel_id.startsWith('D')
      ? { sessionKey: sessionKeyOf(options.scope, { ...place, user: command.user_id }) }
      : {}),
    ...(command.trigger_id ? { eventId: command.trigger_id } : {}),
  };
  try {
    const response = await options.gateway.command(request);
    if (response.duplicate) return undefined;
    // The gateway decides whether the caller may see help at all; only a granted help is prefaced.
    return parsed.name === 'help' && response.ok
      ? `${helpPreface(options.command)}\n${response.text}`
      : response.text;
  } catch (error) {
    options.gateway.logger.error(
      { channel: SLACK, command: parsed.name, err: error instanceof Error ? error.message : String(error) },
      'slash command failed',
    );
    return 'Sorry, that did not work. Please try again in a moment.';
  }
}
