/**
 * Which isolation the sandbox can offer on this machine: bubblewrap namespaces when `bwrap` is
 * installed and works, otherwise a plain process group with resource limits.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/**
 * `bwrap`: the command runs in fresh user, PID, network, IPC and UTS namespaces with a read-only
 * root, only the workspace writable and no network. `process-group`: the command runs as this
 * user in its own process group with rlimits; only the file tools' path checks and the wall-time
 * group kill confine it.
 */
export type IsolationTier = 'bwrap' | 'process-group';

/** What `detectIsolation` found: the tier and, for `bwrap`, the binary to run. */
export interface IsolationInfo {
  tier: IsolationTier;
  /** Absolute path of `bwrap` when the tier is `bwrap`. */
  bwrapPath?: string;
  /** Why this tier was chosen, for the start-up log. */
  reason: string;
}

/** The PATH sandboxed commands see; fixed so the daemon's own PATH does not leak in. */
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Arguments that make `bwrap` build the sandbox around `workspace` (an absolute real path). */
export function bwrapArgs(workspace: string): string[] {
  return [
    '--unshare-all',
    '--die-with-parent',
    '--ro-bind',
    '/',
    '/',
    '--tmpfs',
    '/tmp',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // After /tmp so a workspace under /tmp is not hidden by the fresh tmpfs.
    '--bind',
    workspace,
    workspace,
    '--chdir',
    workspace,
  ];
}

async function findOnPath(name: string): Promise<string | undefined> {
  const dirs = `${process.env.PATH ?? ''}${delimiter}${SANDBOX_PATH}`.split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Runs `bwrap` once with the real flags; some containers forbid namespaces even for root. */
function probeBwrap(bwrapPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(bwrapPath, [...bwrapArgs('/'), '--', '/bin/true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: SANDBOX_PATH },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? undefined : stderr.trim() || `exit ${code ?? signal}`);
    });
  });
}

let cached: Promise<IsolationInfo> | undefined;

/** Detects the isolation tier once per process (cached); `refresh` probes again. */
export function detectIsolation(options: { refresh?: boolean } = {}): Promise<IsolationInfo> {
  if (cached === undefined || options.refresh === true) {
    cached = (async (): Promise<IsolationInfo> => {
      const bwrapPath = await findOnPath('bwrap');
      if (bwrapPath === undefined) {
        return { tier: 'process-group', reason: 'bwrap is not installed; install bubblewrap for namespaces' };
      }
      const failure = await probeBwrap(bwrapPath);
      if (failure !== undefined) {
        return {
          tier: 'process-group',
          reason: `bwrap at ${bwrapPath} cannot create namespaces: ${failure}`,
        };
      }
      return { tier: 'bwrap', bwrapPath, reason: `bubblewrap at ${bwrapPath}` };
    })();
  }
  return cached;
}

/** The isolation tier shell commands run under here; the daemon logs it at start. */
export async function detectIsolationTier(): Promise<IsolationTier> {
  return (await detectIsolation()).tier;
}
