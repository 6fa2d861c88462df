/**
 * Finding and killing what a sandboxed command left behind: its process group, and (on Linux) any
 * process still carrying the run's marker variable, which catches children that left the group
 * with `setsid` without clearing their environment.
 */
import { readdir, readFile } from 'node:fs/promises';

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
}

/** Lists processes from /proc (Linux); undefined where /proc is not available. */
async function listProcesses(): Promise<ProcEntry[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const entries: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      entries.push({ pid: Number(name), state: rest[0] ?? '?', pgrp: Number(rest[2]) });
    } catch {
      // The process ended while we looked.
    }
  }
  return entries;
}

/** True when the process's environment carries `VAR=value` (only readable for our own uid or as root). */
async function carriesMarker(pid: number, marker: string): Promise<boolean> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').includes(`${SANDBOX_MARKER_VAR}=${marker}`);
  } catch {
    return false;
  }
}

/**
 * Live (non-zombie) processes of the group or carrying the marker. Zombies are ignored: they hold
 * no resources, and where PID 1 does not reap orphans they would otherwise look alive forever.
 */
async function findSurvivors(pgid: number, marker: string | undefined): Promise<number[] | undefined> {
  const procs = await listProcesses();
  if (procs === undefined) return undefined;
  const survivors: number[] = [];
  for (const p of procs) {
    if (p.state === 'Z' || p.state === 'X' || p.pid === process.pid) continue;
    if (p.pgrp === pgid || (marker !== undefined && (await carriesMarker(p.pid, marker)))) {
      survivors.push(p.pid);
    }
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
 * Kills every process of the group `pgid` (and every process carrying `marker`) with SIGKILL, and
 * keeps re-killing until none is left alive or `deadlineMs` passes, so a command that keeps forking
 * cannot outrun a single kill. Resolves to true when nothing survives.
 */
export async function killProcessTree(pgid: number, marker?: string, deadlineMs = 3_000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  for (let round = 0; ; round++) {
    const groupExists = signalGroup(pgid, 'SIGKILL');
    const survivors = await findSurvivors(pgid, marker);
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
