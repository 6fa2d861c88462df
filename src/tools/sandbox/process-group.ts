/**
 * Finding and killing what a sandboxed command left behind: its process group, and (on Linux) any
 * process still carrying the run's marker variable, which catches children that left the group
 * with `setsid` without clearing their environment.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable every sandboxed process inherits; its value is unique per run. */
export const SANDBOX_MARKER_VAR = 'SWITCHBOARD_SANDBOX_ID';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** Sends `signal` to the whole group; false when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return false;
    throw err;
  }
}

interface ProcEntry {
  pid: number;
  state: string;
  pgrp: number;
  /** Start time in clock ticks since boot. */
  start: number;
}

/** Parses /proc/<pid>/stat; /proc is in memory, so synchronous reads are cheap and avoid thread-pool queues. */
function readStat(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', pgrp: Number(rest[2]), start: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

/**
 * The start time of `pid` (Linux clock ticks since boot), taken right after spawning so the sweep
 * only looks at processes started later; undefined without /proc.
 */
export function processStartTime(pid: number): number | undefined {
  return readStat(pid)?.start;
}

/** True when the process's environment carries the marker (readable for our own uid or as root). */
function carriesMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .includes(`${SANDBOX_MARKER_VAR}=${marker}`);
  } catch {
    return false;
  }
}

/** Which processes to look for besides the group itself. */
export interface SweepTarget {
  /** Value of `SANDBOX_MARKER_VAR` in the run's environment. */
  marker: string;
  /** Only processes started at or after this tick are checked for the marker. */
  startedSince: number;
}

/**
 * Live (non-zombie) processes of the group or carrying the marker; undefined without /proc.
 * Zombies are ignored: they hold no resources, and where PID 1 does not reap orphans promptly
 * they would otherwise look alive.
 */
function findSurvivors(pgid: number, sweep: SweepTarget | undefined): number[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const survivors: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const p = readStat(Number(name));
    if (p === undefined || p.state === 'Z' || p.state === 'X' || p.pid === process.pid) continue;
    const marked = sweep !== undefined && p.start >= sweep.startedSince && carriesMarker(p.pid, sweep.marker);
    if (p.pgrp === pgid || marked) survivors.push(p.pid);
  }
  return survivors;
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Kills every process of the group `pgid` (and every process carrying the sweep marker) with SIGKILL, and
 * keeps re-killing until none is left alive or `deadlineMs` passes, so a command that keeps forking
 * cannot outrun a single kill. Resolves to true when nothing survives.
 */
export async function killProcessTree(
  pgid: number,
  sweep?: SweepTarget,
  deadlineMs = 3_000,
): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  for (let round = 0; ; round++) {
    const groupExists = signalGroup(pgid, 'SIGKILL');
    const survivors = findSurvivors(pgid, sweep);
    if (survivors === undefined) {
      // No /proc: fall back to the kernel's word, which also counts unreaped zombies.
      if (!groupExists || !signalGroup(pgid, 0)) return true;
    } else {
      if (survivors.length === 0) return true;
      for (const pid of survivors) killPid(pid);
    }
    if (Date.now() >= until) return false;
    await sleep(Math.min(5 * (round + 1), 50));
  }
}
