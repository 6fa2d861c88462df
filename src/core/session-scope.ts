/** How a channel maps conversations to sessions: one per thread, per channel, or per user. */
export type SessionScope = 'thread' | 'channel' | 'user';

/** The session scopes, for config schemas. */
export const SESSION_SCOPES = ['thread', 'channel', 'user'] as const satisfies readonly SessionScope[];
