import type { webApi } from '@slack/bolt';
import type { BotIdentity } from './identity.js';

/** How many threads are remembered; older ones are looked up again when someone replies. */
const MAX_REMEMBERED = 5_000;
/** How long a "the bot is not in this thread" answer is trusted. */
const NEGATIVE_TTL_MS = 60_000;

/**
 * Knows which threads the bot takes part in, so a reply without a mention in such a thread still
 * reaches the agent. Threads are remembered when the bot is addressed in them or posts in them; an
 * unknown thread is looked up once with `conversations.replies` (after a restart, say).
 */
export class ThreadMembership {
  private readonly joined = new Map<string, true>();
  private readonly notJoined = new Map<string, number>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly bot: () => BotIdentity | undefined,
    private readonly onLookupError: (error: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Records that the bot is part of `thread` in `channel`. */
  remember(channel: string, thread: string): void {
    const key = `${channel}:${thread}`;
    this.notJoined.delete(key);
    this.joined.delete(key);
    this.joined.set(key, true);
    if (this.joined.size > MAX_REMEMBERED) {
      const oldest = this.joined.keys().next().value;
      if (oldest !== undefined) this.joined.delete(oldest);
    }
  }

  /** Whether the bot takes part in the thread: remembered, or one of its messages is in the thread. */
  async includesBot(channel: string, thread: string): Promise<boolean> {
    const key = `${channel}:${thread}`;
    if (this.joined.has(key)) return true;
    const checkedAt = this.notJoined.get(key);
    if (checkedAt !== undefined && this.now() - checkedAt < NEGATIVE_TTL_MS) return false;
    const bot = this.bot();
    if (!bot) return false;
    let found: boolean;
    try {
      found = await this.lookUp(channel, thread, bot);
    } catch (error) {
      // Rate limited or Slack unavailable: treat as not joined this time rather than fail the delivery.
      this.onLookupError(error);
      return false;
    }
    if (found) this.remember(channel, thread);
    else this.notJoined.set(key, this.now());
    return found;
  }

  private async lookUp(channel: string, thread: string, bot: BotIdentity): Promise<boolean> {
    const replies = await this.client.conversations.replies({ channel, ts: thread, limit: 200 });
    return (replies.messages ?? []).some(
      (message) =>
        message.user === bot.userId || (message.bot_id !== undefined && message.bot_id === bot.botId),
    );
  }
}
