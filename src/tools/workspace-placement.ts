/**
 * Where the workspace is, and the start-time check that it holds nothing the daemon guards: it
 * never overlaps the data folder (admin token, journal, memory) and never contains the config
 * file or the Cedar policies, so no tool tier can read or rewrite them.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../core/errors.js';

/**
 * The workspace folder: `tools.workspace` (default `workspace`) when absolute, else resolved
 * against the working directory `cwd` — not against the data folder.
 */
export function resolveWorkspaceDir(configured: string, cwd: string = process.cwd()): string {
  return resolve(cwd, configured);
}

/** What the workspace is checked against; every path absolute or relative to the working directory. */
export interface GuardedPaths {
  dataDir: string;
  configPath: string;
  /** The Cedar policy folder and schema: a shell that could write them would grant itself anything. */
  policyDir?: string | undefined;
  policySchema?: string | undefined;
}

/** The real path of `path`, resolving symlinks of its deepest existing ancestor (it may not exist yet). */
function realPath(path: string): string {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return join(current, ...missing.reverse());
      missing.push(basename(current));
      current = parent;
    }
  }
}

/** True when `inner` is `outer` or lies inside it. */
function within(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const FIX = 'set tools.workspace to a folder of its own (default: ./workspace in the working directory)';

/**
 * Throws `ConfigError` naming both paths when the workspace and the data folder overlap (either
 * contains the other; the admin token file and the journal live there), or the workspace contains
 * the config file, the policy folder or the policy schema. Paths are compared after resolving
 * symlinks.
 */
export function assertWorkspacePlacement(workspaceDir: string, guarded: GuardedPaths): void {
  const workspace = realPath(workspaceDir);
  const data = realPath(guarded.dataDir);
  if (within(workspace, data) || within(data, workspace)) {
    const how = within(data, workspace) ? 'lies inside' : 'contains';
    throw new ConfigError(
      `the workspace ${workspace} ${how} the data folder ${data}: tools could reach the admin token and the journal; ${FIX} outside ${data}, or point SWITCHBOARD_DATA_DIR elsewhere`,
    );
  }
  const files: Array<[string, string | undefined]> = [
    ['config file', guarded.configPath],
    ['policy folder', guarded.policyDir],
    ['policy schema', guarded.policySchema],
  ];
  for (const [label, path] of files) {
    if (path === undefined) continue;
    const real = realPath(path);
    if (within(workspace, real)) {
      throw new ConfigError(
        `the workspace ${workspace} contains the ${label} ${real}: tools could read or rewrite it; ${FIX} that does not contain ${real}`,
      );
    }
  }
}
