import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { PolicyEngineHandle, PolicyReloadResult } from './cedar-engine.js';

/** The few log calls the watcher makes; a pino logger fits. */
export interface PolicyWatchLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Options of {@link watchPolicies}. */
export interface WatchPoliciesOptions {
  /** The policy folder; a change to any `*.cedar` file in it reloads. */
  dir: string;
  /** The schema file; a change to it reloads. */
  schemaPath: string;
  log: PolicyWatchLog;
  /** Quiet time after the last file event before reloading, so an editor's burst of writes reloads once. */
  debounceMs?: number;
  /** Called after every reload attempt (tests wait on it). */
  onReload?: (result: PolicyReloadResult) => void;
}

/**
 * Reloads the policies on SIGHUP and whenever a `*.cedar` file or the schema changes. A broken set
 * is logged and the previous one stays in force. Watches folders rather than files, so editors that
 * save by renaming a new file into place are seen too. Returns a function that stops watching.
 */
export function watchPolicies(handle: PolicyEngineHandle, options: WatchPoliciesOptions): () => void {
  const { log } = options;
  const debounceMs = options.debounceMs ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const reload = (why: string): void => {
    if (stopped) return;
    const result = handle.reload();
    if (result.ok) {
      log.info(`policies reloaded (${why}): ${result.policyCount} policies in force`);
      for (const warning of result.warnings) log.warn(`policy warning: ${warning}`);
    } else {
      log.warn(
        `policy reload (${why}) failed, the previous policies stay in force:\n  ${result.errors.join('\n  ')}`,
      );
    }
    options.onReload?.(result);
  };
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload('files changed');
    }, debounceMs);
  };

  const policyDir = resolve(options.dir);
  const schemaDir = resolve(dirname(options.schemaPath));
  const schemaName = basename(options.schemaPath);
  const watchers: FSWatcher[] = [];
  const watchFolder = (folder: string, relevant: (name: string) => boolean): void => {
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        if (name === null || relevant(name.toString())) schedule();
      });
      watcher.on('error', (err) => log.warn(`cannot watch ${folder} for policy changes: ${err.message}`));
      watchers.push(watcher);
    } catch (err) {
      log.warn(
        `cannot watch ${folder} for policy changes: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  };
  if (policyDir === schemaDir) {
    watchFolder(policyDir, (name) => name.endsWith('.cedar') || name === schemaName);
  } else {
    watchFolder(policyDir, (name) => name.endsWith('.cedar'));
    watchFolder(schemaDir, (name) => name === schemaName);
  }

  const onSignal = (): void => reload('SIGHUP');
  process.on('SIGHUP', onSignal);

  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    process.off('SIGHUP', onSignal);
    for (const watcher of watchers) watcher.close();
  };
}
