/**
 * Which isolation this machine can give shell commands: bubblewrap, when `bwrap` is installed
 * and a probe run with the real arguments around a real temporary workspace succeeds — user
 * namespaces may be forbidden (Docker's default seccomp profile, AppArmor's
 * `kernel.apparmor_restrict_unprivileged_userns`), so the binary being there proves nothing.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, realpathSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { bwrapArgs, SANDBOX_PATH } from './bwrap-args.js';

/**
 * How a command is run. `bwrap`: in namespaces, seeing only system folders and the workspace
 * (see `bwrapArgs`), with no network. `process-group`: as the daemon's user in its own process
 * group with rlimits and a wall-time group kill — that is NOT isolation: the command can read and
 * write whatever the daemon's user can, so it is used only when the operator opts in with
 * `tools.sandbox.allow_unisolated: true`.
 */
export type IsolationTier = 'bwrap' | 'process-group';

/** What detection found: a working bubblewrap, or no isolation at all, and why. */
export type IsolationInfo =
  | { tier: 'bwrap' /** Absolute path of the working `bwrap`. */; bwrapPath: string; reason: string }
  | { tier: 'none' /** Why no isolation works here, with how to fix it. */; reason: string };

const PROBE_TIMEOUT_MS = 5_000;
const PROBE_FILE = '.switchboard-probe';

/** Synchronous on purpose: a few `access` calls, so the probe process starts at once. */
function findOnPath(name: string): string | undefined {
  const dirs = `${process.env.PATH ?? ''}${delimiter}${SANDBOX_PATH}`.split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Runs `bwrap` with the real arguments; resolves to undefined on success, else what went wrong. */
function runProbe(bwrapPath: string, workspace: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(
      bwrapPath,
      [...bwrapArgs(workspace), '--', '/bin/sh', '-c', `echo ok > ${PROBE_FILE}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { PATH: SANDBOX_PATH, LANG: 'C.UTF-8', HOME: workspace, TMPDIR: '/tmp' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(undefined);
      else if (signal === 'SIGKILL') resolve(`the probe did not finish in ${PROBE_TIMEOUT_MS} ms`);
      else resolve(stderr.trim().split('\n')[0] || `exit ${code ?? signal}`);
    });
  });
}

/**
 * Probes `bwrapPath` (undefined: not installed) once, uncached: a shell started under the real
 * sandbox arguments must write a file into a fresh temporary workspace, which the host then reads.
 * The probe process is spawned before this returns, so it runs while the caller goes on with
 * synchronous start work (journal, policies).
 */
export function probeIsolation(bwrapPath: string | undefined): Promise<IsolationInfo> {
  if (bwrapPath === undefined) {
    return Promise.resolve({ tier: 'none', reason: 'bwrap is not installed; install bubblewrap' });
  }
  let workspace: string;
  try {
    workspace = realpathSync(mkdtempSync(join(tmpdir(), 'switchboard-probe-')));
  } catch (error) {
    return Promise.reject(error);
  }
  return checkProbe(bwrapPath, workspace, runProbe(bwrapPath, workspace));
}

async function checkProbe(
  bwrapPath: string,
  workspace: string,
  probe: Promise<string | undefined>,
): Promise<IsolationInfo> {
  try {
    const failure = await probe;
    if (failure !== undefined) {
      return {
        tier: 'none',
        reason: `bwrap at ${bwrapPath} cannot create its sandbox (${failure}); allow unprivileged user namespaces (see README, "Tool sandbox")`,
      };
    }
    const written = await readFile(join(workspace, PROBE_FILE), 'utf8').catch(() => '');
    if (written.trim() !== 'ok') {
      return {
        tier: 'none',
        reason: `bwrap at ${bwrapPath} exited cleanly but the command did not run in the workspace; check that it is bubblewrap`,
      };
    }
    return { tier: 'bwrap', bwrapPath, reason: `bubblewrap at ${bwrapPath} works` };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

let cached: Promise<IsolationInfo> | undefined;

/** Finds `bwrap` and probes it, once per process (cached); `refresh` probes again. */
export function detectIsolation(options: { refresh?: boolean } = {}): Promise<IsolationInfo> {
  if (cached === undefined || options.refresh === true) {
    cached = probeIsolation(findOnPath('bwrap'));
  }
  return cached;
}
