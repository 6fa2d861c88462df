import type { Channel, GatewayPort } from '../../src/index.js';
import type { ApprovalVerb } from '../../src/ports/approval-verbs.js';

/** A message as a person in the chat sees it (after all edits). */
export interface PostedMessage {
  /** Platform message id. */
  id: string;
  /** Platform channel / chat id it was posted in. */
  channel: string;
  /** Thread / topic id, when posted in one. */
  thread?: string;
  text: string;
  /** Buttons currently shown (gone after an approval was decided). */
  buttons: { label: string; verb: ApprovalVerb }[];
  /** How many times the message was edited. */
  edits: number;
  /** When each edit happened (ms since the epoch), in order. */
  editedAt?: number[];
  /** Files attached to it, as the chat shows them. */
  files?: { name: string; size: number }[];
  /** Set when only this platform user can see it (ephemeral). */
  ephemeralTo?: string;
}

/**
 * Drives one platform's real client library against its local fake, as a person would. Each
 * adapter ships one (`test/fakes/<platform>/driver.ts`); the shared channel contract suite
 * (`test/channels/contract.ts`) runs the same scenarios through each.
 */
export interface ChannelDriver {
  readonly platform: string;
  /** Starts the fake platform, then the adapter wired to `gateway`; resolves when it is ready. */
  start(gateway: GatewayPort): Promise<Channel>;
  /** Stops the adapter and the fake. */
  stop(): Promise<void>;
  /** A person writes to the bot: in a DM, or in a group channel addressing the bot. Returns the event id. */
  userSays(options: { user: string; text: string; where: 'dm' | 'group' }): Promise<string>;
  /** The platform delivers the last inbound event again (retry / duplicate). */
  redeliverLast(): Promise<void>;
  /** Everything the bot posted, in order, as currently shown. */
  posted(): PostedMessage[];
  /** A person clicks a button on a posted message; returns what that person was shown (ephemeral/alert), if anything. */
  click(options: { user: string; messageId: string; verb: ApprovalVerb }): Promise<string | undefined>;
  /**
   * A person runs a slash command; returns the (ephemeral) answer text. `where` is the kind of
   * conversation it is typed in; by default the driver picks where that person last wrote (or a
   * DM / the group channel, per platform).
   */
  slash(options: {
    user: string;
    name: 'cancel' | 'usage' | 'status' | 'approvals' | 'new' | 'grants' | 'help' | 'access' | 'link';
    args?: string[];
    where?: 'dm' | 'group';
  }): Promise<string>;
  /** Whether this platform can answer a command so only its caller sees it (Discord, Slack: ephemeral). */
  readonly privateSlashAnswers: boolean;
  /** Whether the answer to the last `slash` was shown only to its caller (ephemeral). */
  lastSlashWasPrivate(): boolean;
  /**
   * The platform delivers the last slash command's event again (same platform id); resolves once
   * the adapter had time to handle it, with every answer that command has now received, in order.
   */
  redeliverLastSlash(): Promise<string[]>;
  /** The Switchboard principal of a platform user id (e.g. `discord:<id>`). */
  principalOf(user: string): string;
  /**
   * The group conversation `userSays({where: 'group'})` writes in, in the platform's ids (as
   * `channels.<name>.admin_conversation` names it); after `start`.
   */
  groupConversation(): { workspace?: string; channel: string };
  /** The maximum characters of one message on this platform. */
  readonly messageLimit: number;
  /**
   * The platform carries out the bot's next message post, but the answer never reaches the bot
   * (a 500 after the message was posted), as when a connection drops or the daemon dies there.
   */
  loseNextPostAnswer(): void;
  /** The platform answers the bot's next message edit with a 429 asking to wait `retryAfterMs`. */
  rateLimitNextEdit(retryAfterMs: number): void;
  /** How many injected failures (`rateLimitNextEdit`, `loseNextPostAnswer`) were not met yet. */
  pendingFaults(): number;
  /**
   * Whether the adapter recognises, on the retry, a message the platform already has (Slack
   * message metadata, Discord nonces), so it shows once; Telegram cannot look, and posts it again.
   */
  readonly recognisesRepost: boolean;
}
