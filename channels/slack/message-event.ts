/**
 * The shape of a Slack `message` / `app_mention` event as the adapter reads it: the Events API
 * object is untyped JSON, so every field is checked at run time and shared files become
 * attachments (`url_private`, downloaded later with the bot token).
 */
import type { Attachment } from '../../src/index.js';

/** The fields of a Slack `message` / `app_mention` event the channel reads, checked at runtime. */
export interface SlackMessageEvent {
  type: 'message' | 'app_mention';
  subtype?: string;
  channel: string;
  channelType?: string;
  user?: string;
  /** The sender's home team (`user_team` / `team`). */
  userTeam?: string;
  botId?: string;
  text: string;
  ts: string;
  threadTs?: string;
  displayName?: string;
  files: Attachment[];
}

/**
 * Reads the fields the channel needs from an Events API `event` object; returns undefined for
 * anything that is not a message-like event with a channel, text and ts.
 */
export function readMessageEvent(event: unknown): SlackMessageEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  if (e.type !== 'message' && e.type !== 'app_mention') return undefined;
  const channel = str(e.channel);
  const ts = str(e.ts);
  if (!channel || !ts) return undefined;
  const profile =
    typeof e.user_profile === 'object' && e.user_profile !== null
      ? (e.user_profile as Record<string, unknown>)
      : {};
  const displayName = str(profile.display_name) || str(profile.real_name);
  const subtype = str(e.subtype);
  const channelType = str(e.channel_type);
  const user = str(e.user);
  const userTeam = str(e.user_team) ?? str(e.team);
  const botId = str(e.bot_id);
  const threadTs = str(e.thread_ts);
  return {
    type: e.type,
    channel,
    ts,
    text: str(e.text) ?? '',
    files: readFiles(e.files),
    ...(subtype ? { subtype } : {}),
    ...(channelType ? { channelType } : {}),
    ...(user ? { user } : {}),
    ...(userTeam ? { userTeam } : {}),
    ...(botId ? { botId } : {}),
    ...(threadTs ? { threadTs } : {}),
    ...(displayName ? { displayName } : {}),
  };
}

function readFiles(files: unknown): Attachment[] {
  if (!Array.isArray(files)) return [];
  const out: Attachment[] = [];
  for (const file of files) {
    if (typeof file !== 'object' || file === null) continue;
    const f = file as Record<string, unknown>;
    const url = str(f.url_private);
    if (!url) continue;
    const mimeType = str(f.mimetype);
    out.push({
      name: str(f.name) ?? 'file',
      url,
      ...(mimeType ? { mimeType } : {}),
      ...(typeof f.size === 'number' ? { size: f.size } : {}),
    });
  }
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
