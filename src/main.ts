#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Cedar runs as WebAssembly. V8's optimizing tier recompiles its hot functions at start, which on
// a 2-core machine costs most of a second and ~50 MB that is never returned; the baseline
// compiler alone starts in a third of the time and keeps the daemon near 70 MB less. Policy
// decisions stay well under a millisecond (see `npm run bench`). Must run before Cedar loads.
setFlagsFromString('--liftoff-only');

const { SwitchboardError } = await import('./core/errors.js');
const { startDaemon } = await import('./daemon.js');

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
