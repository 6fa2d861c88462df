#!/usr/bin/env node
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
