/**
 * Runs one shell command in the sandbox: under bubblewrap (or, only where the operator opted in,
 * a bare process group), with a scrubbed environment, rlimits, merged and capped output, and a
 * wall-time limit that kills the whole group.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { bwrapArgs, SANDBOX_PATH } from './bwrap-args.js';
import { killProcessTree, processStartTime, SANDBOX_MARKER_VAR } from './process-group.js';
import type { IsolationTier } from './tier.js';

/** Resource limits applied with `ulimit` inside the sandbox before the command starts. */
export interface ResourceLimits {
  /** Largest file the command may write (RLIMIT_FSIZE). */
  fileSizeBytes: number;
  /** Open file descriptors (RLIMIT_NOFILE). */
  openFiles: number;
  /** Address space (RLIMIT_AS). */
  virtualMemoryBytes: number;
  /** Processes of this user (RLIMIT_NPROC); does not bind root, where the wall-time group kill does. */
  processes: number;
}

/** Limits used when the caller gives none: roomy enough for compilers and interpreters. */
export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = {
  fileSizeBytes: 64 * 1024 * 1024,
  openFiles: 256,
  virtualMemoryBytes: 2 * 1024 * 1024 * 1024,
  processes: 256,
};

/**
 * Which tier runs the command, chosen once at start (`decideSandbox`), never per call: there is
 * no silent fall-back from bubblewrap to the uncontained process group.
 */
export type RunIsolation = { tier: 'bwrap'; bwrapPath: string } | { tier: 'process-group' };

/** What to run and under which limits. */
export interface SandboxOptions {
  /** Passed to `/bin/sh -c`. */
  command: string;
  /** The workspace: the command's cwd and HOME, and the only writable folder under bwrap. */
  cwd: string;
  timeoutMs: number;
  /** Output beyond this many bytes (stdout and stderr together) is not read. */
  maxOutputBytes: number;
  /** Aborting kills the command's whole process group. */
  signal?: AbortSignal | undefined;
  isolation: RunIsolation;
  limits?: Partial<ResourceLimits> | undefined;
}

/** How the command ended. */
export interface SandboxResult {
  /** Exit status, or null when the command died of a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Head of stdout and stderr, merged in the order they were written. */
  output: string;
  /** True when output went past `maxOutputBytes` and reading stopped. */
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  tier: IsolationTier;
  /** False when some process of the run could not be killed before the cleanup deadline. */
  cleanedUp: boolean;
}

/** The shell prelude: merge stderr into stdout, set rlimits, then replace itself with the command. */
function wrapperScript(limits: ResourceLimits): string {
  const blocks = Math.max(1, Math.floor(limits.fileSizeBytes / 512));
  const kib = Math.max(1, Math.floor(limits.virtualMemoryBytes / 1024));
  return [
    'exec 2>&1',
    'ulimit -c 0 2>/dev/null',
    `ulimit -f ${blocks} 2>/dev/null`,
    `ulimit -n ${limits.openFiles} 2>/dev/null`,
    `ulimit -v ${kib} 2>/dev/null`,
    // dash spells RLIMIT_NPROC -p, bash -u.
    `ulimit -u ${limits.processes} 2>/dev/null || ulimit -p ${limits.processes} 2>/dev/null`,
    'exec /bin/sh -c "$1"',
  ].join('\n');
}

/** Collects the head of several streams into one buffer and stops reading at the cap. */
class OutputCollector {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  truncated = false;

  constructor(
    private readonly cap: number,
    private readonly streams: Readable[],
  ) {
    for (const stream of streams) stream.on('data', (chunk: Buffer) => this.add(chunk));
  }

  private add(chunk: Buffer): void {
    if (this.truncated) return;
    const room = this.cap - this.bytes;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.bytes = this.cap;
      this.truncated = true;
      // Stop reading: the writer gets EPIPE/SIGPIPE instead of filling memory or a blocked pipe.
      for (const stream of this.streams) stream.destroy();
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Resolves when every stream closed, or after `ms` (an escaped process may still hold a pipe). */
function streamsClosed(streams: Readable[], ms: number): Promise<void> {
  const closed = streams.map(
    (s) => new Promise<void>((resolve) => (s.closed || s.destroyed ? resolve() : s.once('close', resolve))),
  );
  return Promise.race([
    Promise.all(closed).then(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}

/**
 * Runs `command` in the sandbox and always resolves with how it ended; it rejects only when the
 * process could not be started. Nothing the command started outlives this call.
 */
export async function runSandboxed(options: SandboxOptions): Promise<SandboxResult> {
  const started = performance.now();
  const { isolation } = options;
  const tier = isolation.tier;
  const limits = { ...DEFAULT_RESOURCE_LIMITS, ...options.limits };
  const cwd = await realpath(options.cwd);
  const base: Omit<SandboxResult, 'exitCode' | 'signal' | 'output' | 'truncated'> = {
    timedOut: false,
    cancelled: false,
    durationMs: 0,
    tier,
    cleanedUp: true,
  };
  if (isAborted(options.signal)) {
    return { ...base, exitCode: null, signal: null, output: '', truncated: false, cancelled: true };
  }

  let tmpdir = '/tmp';
  if (tier === 'process-group') {
    tmpdir = join(cwd, '.tmp');
    await mkdir(tmpdir, { recursive: true });
  }
  const marker = randomUUID();
  // The allow-list: nothing from process.env reaches the command.
  const env: NodeJS.ProcessEnv = {
    PATH: SANDBOX_PATH,
    LANG: 'C.UTF-8',
    HOME: cwd,
    TMPDIR: tmpdir,
    [SANDBOX_MARKER_VAR]: marker,
  };
  const shArgs = ['-c', wrapperScript(limits), 'switchboard-sandbox', options.command];
  let file = '/bin/sh';
  let args = shArgs;
  if (isolation.tier === 'bwrap') {
    file = isolation.bwrapPath;
    args = [...bwrapArgs(cwd), '--', '/bin/sh', ...shArgs];
  }

  const child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pgid = child.pid!;
  const startedSince = processStartTime(pgid) ?? 0;
  const collector = new OutputCollector(options.maxOutputBytes, [child.stdout, child.stderr]);
  const result = { ...base };

  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  const killGroup = () => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone; the cleanup below makes sure.
    }
  };
  const timer = setTimeout(() => {
    result.timedOut = true;
    killGroup();
  }, options.timeoutMs);
  const onAbort = () => {
    result.cancelled = true;
    killGroup();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // The signal may have fired while the process was being set up (a call TS cannot narrow away).
  if (isAborted(options.signal)) onAbort();

  try {
    const [exitCode, signal] = await exited;
    clearTimeout(timer);
    // Background children do not outlive the command, whether it ended or was killed.
    result.cleanedUp = await killProcessTree(pgid, { marker, startedSince });
    await streamsClosed([child.stdout, child.stderr], 250);
    child.stdout.destroy();
    child.stderr.destroy();
    return {
      ...result,
      exitCode,
      signal,
      output: collector.text(),
      truncated: collector.truncated,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
