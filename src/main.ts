#!/usr/bin/env node
// Start with `node --liftoff-only` (npm start, the Dockerfile and `switchboard start` do): Cedar
// runs as WebAssembly, and V8's optimizing tier recompiles its hot functions at start, which on a
// 2-core machine costs most of a second and ~50 MB that is never returned. The flag is given on the
// command line because V8 does not support changing it after start.
import { SwitchboardError } from './core/errors.js';
import { startDaemon } from './daemon.js';

/** Entry point of `npm start`: starts the daemon and stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  try {
    const daemon = await startDaemon();
    let signals = 0;
    const shutdown = (signal: string) => {
      signals++;
      if (signals > 1) process.exit(1);
      daemon.logger.info({ signal }, 'stopping');
      void daemon.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  } catch (error) {
    const message =
      error instanceof SwitchboardError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`switchboard: cannot start: ${message}\n`);
    process.exit(78);
  }
}

void main();
