import { ConfigError } from '../core/errors.js';

/** How long a run's lease lasts before another process may take it over. */
export const RUN_LEASE_MS = 30_000;

/**
 * The run lease: `SWITCHBOARD_LEASE_MS` when set (tests shorten it to see take-overs quickly),
 * else `RUN_LEASE_MS`. Singleton connections use the same lease, capped at 15 s.
 */
export function runLeaseMs(env: NodeJS.ProcessEnv): number {
  const raw = env.SWITCHBOARD_LEASE_MS;
  if (raw === undefined || raw === '') return RUN_LEASE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1000) {
    throw new ConfigError(
      `SWITCHBOARD_LEASE_MS must be a whole number of milliseconds, at least 1000 (got "${raw}")`,
    );
  }
  return ms;
}
