/** How a channel maps conversations to sessions: one per thread, per channel, or per user. */
export type SessionScope = 'thread' | 'channel' | 'user';
