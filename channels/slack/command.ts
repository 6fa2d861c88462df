import type { App, SlashCommand } from '@slack/bolt';
import type { CommandRequest, GatewayPort, SessionScope } from '../../src/index.js';
import { sessionKeyOf } from './inbound.js';

type SubCommand = Exclude<CommandRequest['name'], 'help'>;
const SUB_COMMANDS: readonly SubCommand[] = ['cancel', 'usage', 'status', 'approvals'];

/** The help text of the slash command, shown for `help`, no sub-command, or an unknown one. */
export function helpText(command: string): string {
  return [
    `*${command}* — talk to Switchboard's admin side`,
    `• \`${command} status\` — what is running in this conversation`,
    `• \`${command} cancel [run]\` — cancel the current run here, or the given run id`,
    `• \`${command} approvals\` — pending approvals you can decide`,
    `• \`${command} usage [@user|all] [days]\` — token usage (yours by default)`,
    `• \`${command} help\` — this text`,
  ].join('\n');
}

/** A parsed command line: a known sub-command with its arguments, or `help`. */
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
    return mention ? `slack:${team}:${mention[1]}` : word;
  });
  return { name, args };
}

/**
 * Registers the slash command: ack at once (Slack allows 3 s, the work may take longer), then run
 * it through `gateway.command` and answer only the caller, through the command's response URL.
 */
export function registerCommand(
  app: App,
  options: { command: string; scope: SessionScope; gateway: GatewayPort },
): void {
  app.command(options.command, async ({ ack, command, respond }) => {
    await ack();
    const text = await answer(command, options);
    await respond({ response_type: 'ephemeral', text });
  });
}

async function answer(
  command: SlashCommand,
  options: { command: string; scope: SessionScope; gateway: GatewayPort },
) {
  const team = command.team_id;
  const parsed = parseCommandText(command.text ?? '', team);
  if (parsed.name === 'help') return helpText(options.command);
  const where = { team, channel: command.channel_id, user: command.user_id, thread: undefined };
  const request: CommandRequest = {
    name: parsed.name,
    args: parsed.args,
    principal: `slack:${team}:${command.user_id}`,
    conversation: { platform: 'slack', workspace: team, channel: command.channel_id },
    // Slash commands carry no thread: per-thread sessions cannot be named from a channel, only a DM's.
    ...(options.scope !== 'thread' || command.channel_id.startsWith('D')
      ? { sessionKey: sessionKeyOf(options.scope, where) }
      : {}),
  };
  try {
    const response = await options.gateway.command(request);
    return response.text;
  } catch (error) {
    options.gateway.logger.error(
      { channel: 'slack', command: parsed.name, err: error instanceof Error ? error.message : String(error) },
      'slash command failed',
    );
    return 'Sorry, that did not work. Please try again in a moment.';
  }
}
