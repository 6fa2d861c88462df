import type { MessageEntity, Update } from 'grammy/types';

/** A Telegram user as the fake knows it. */
export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
  is_bot?: boolean;
}

/** A chat as the fake knows it. */
export interface FakeChat {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  title?: string;
  is_forum?: boolean;
}

/** The default group of the fakes: a forum supergroup. */
export const FAKE_GROUP: FakeChat = {
  id: -1001234567890,
  type: 'supergroup',
  title: 'Team room',
  is_forum: true,
};

/** The private chat of a user with the bot (its id is the user's id). */
export function privateChatOf(user: FakeUser): FakeChat {
  return { id: user.id, type: 'private' };
}

/**
 * The entities Telegram's server computes for plain text: a leading `/command[@bot]` and every
 * `@username`. Offsets are UTF-16 code units, as in JavaScript strings.
 */
export function entitiesOf(text: string): MessageEntity[] {
  const out: MessageEntity[] = [];
  const command = /^\/\w+(@\w+)?/.exec(text);
  if (command) out.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const match of text.matchAll(/(^|[^\w/])(@\w{3,})/g)) {
    const at = (match.index ?? 0) + (match[1]?.length ?? 0);
    out.push({ type: 'mention', offset: at, length: match[2]?.length ?? 0 });
  }
  return out;
}

/** Wire JSON of an update; the fake builds it field by field as Telegram would send it. */
export function asUpdate(wire: Record<string, unknown>): Update {
  return wire as unknown as Update;
}
