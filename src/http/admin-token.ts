import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the admin token came from; the token itself is never logged. */
export interface AdminToken {
  token: string;
  source: 'environment' | 'file' | 'generated';
  /** The file holding it, when not from the environment. */
  path?: string;
}

/**
 * The bearer token of the admin API: `SWITCHBOARD_ADMIN_TOKEN` when set, else the one stored in
 * `<dataDir>/admin-token`, else a new random one written there with mode 0600.
 */
export function ensureAdminToken(dataDir: string, fromEnv: string | undefined): AdminToken {
  if (fromEnv) return { token: fromEnv, source: 'environment' };
  const path = join(dataDir, 'admin-token');
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return { token, source: 'file', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated', path };
}
