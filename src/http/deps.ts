import type { GatewayRuntimeState } from '../gateway/runtime.js';
import type { Logger } from '../logging/logger.js';
import type { RunFeed } from '../runtime/run-feed.js';
import type { ConsoleUser } from './console/index.js';
import type { Metrics } from './metrics.js';

/** What the HTTP API serves. */
export interface HttpDeps {
  gateway: GatewayRuntimeState;
  feed: RunFeed;
  metrics: Metrics;
  logger: Logger;
  adminToken: string;
  /** Per-user web console tokens (`channels.console.users`), each acting as `console:<name>`. */
  consoleUsers?: ConsoleUser[];
  /** Where the built web console lives; defaults to the project's `dist/web`. */
  consoleAssetsDir?: string;
  maxBodyBytes: number;
  clock: () => number;
}

/** Every request on the API carries the principal its bearer token authenticates. */
declare module 'fastify' {
  interface FastifyRequest {
    /** Who the bearer token authenticates. */
    principal: string;
  }
}
