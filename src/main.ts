#!/usr/bin/env node
import { startDaemon } from './app/daemon.js';
import { SwitchboardError } from './core/errors.js';
import { NODE_FLAGS } from './node-flags.js';

/** Entry point of `npm start`: starts the daemon and stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  try {
    const daemon = await startDaemon();
    const missing = NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
    if (missing.length > 0) {
      daemon.logger.warn(
        { missing },
        `started without ${missing.join(' ')}; run it with npm start or switchboard start (see src/node-flags.ts)`,
      );
    }
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
