import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../core/errors.js';

/** A console user as written in `channels.console.users` of the config. */
export interface ConsoleUserConfig {
  name: string;
  token_env?: string | undefined;
  token_file?: string | undefined;
}

/** A console user with its token read from the environment or its file. */
export interface ConsoleUser {
  name: string;
  token: string;
}

/** Who a console bearer token authenticates. */
export interface ConsoleIdentity {
  principal: string;
  /** True for the admin token, which may act as any console principal. */
  admin: boolean;
}

/** The shortest token accepted, so a guessable one never opens the console. */
export const MIN_CONSOLE_TOKEN_LENGTH = 16;

/**
 * Reads each console user's token from `token_env` or `token_file` (relative to the config file).
 * Throws `ConfigError` naming the user and the fix; the token itself is never in a message.
 */
export function loadConsoleUsers(
  users: readonly ConsoleUserConfig[],
  env: NodeJS.ProcessEnv,
  configPath: string,
): ConsoleUser[] {
  const seen = new Set<string>();
  return users.map((user) => {
    if (seen.has(user.name) || user.name === 'admin') {
      throw new ConfigError(
        `channels.console.users: "${user.name}" is ${user.name === 'admin' ? 'reserved for the admin token' : 'listed twice'}`,
      );
    }
    seen.add(user.name);
    let token: string | undefined;
    if (user.token_env !== undefined) {
      token = env[user.token_env]?.trim();
      if (!token)
        throw new ConfigError(
          `channels.console.users: ${user.name}: set the environment variable ${user.token_env} to their console token`,
        );
    } else if (user.token_file !== undefined) {
      const path = resolve(dirname(configPath), user.token_file);
      try {
        token = readFileSync(path, 'utf8').trim();
      } catch (error) {
        throw new ConfigError(
          `channels.console.users: ${user.name}: cannot read token_file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    if (!token || token.length < MIN_CONSOLE_TOKEN_LENGTH) {
      throw new ConfigError(
        `channels.console.users: ${user.name}: the token must be at least ${MIN_CONSOLE_TOKEN_LENGTH} characters (e.g. openssl rand -base64 32)`,
      );
    }
    return { name: user.name, token };
  });
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Matches bearer tokens against the admin token and the console users' tokens in constant time
 * (every candidate is compared, over equal-length digests).
 */
export class ConsoleTokens {
  private readonly entries: { digest: Buffer; identity: ConsoleIdentity }[];

  constructor(adminToken: string, adminPrincipal: string, users: readonly ConsoleUser[] = []) {
    this.entries = [
      { digest: digest(adminToken), identity: { principal: adminPrincipal, admin: true } },
      ...users.map((u) => ({
        digest: digest(u.token),
        identity: { principal: `console:${u.name}`, admin: false },
      })),
    ];
  }

  /** The identity of an `Authorization` header value, or null when no token matches. */
  authenticate(header: string | undefined): ConsoleIdentity | null {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    if (!match?.[1]) return null;
    const given = digest(match[1]);
    let found: ConsoleIdentity | null = null;
    for (const entry of this.entries)
      if (timingSafeEqual(given, entry.digest) && !found) found = entry.identity;
    return found;
  }
}
