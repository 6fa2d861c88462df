/**
 * Transitional: the ports now live in `src/ports/`. Only the composition files that are being
 * moved to `src/app/` (daemon.ts, channels.ts, memory/open.ts, gateway/assemble.ts) still import
 * from here; delete this file when they import `src/ports/` directly.
 */
export type { Channel } from '../ports/channel.js';
export type { GatewayPort } from '../ports/gateway.js';
