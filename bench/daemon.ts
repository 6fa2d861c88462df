import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeOpenAI } from '../test/fakes/openai-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** BENCH_DAEMON_ROOT: the checkout whose built daemon is measured (another commit, for a before/after). */
const DAEMON_ROOT = resolve(process.env.BENCH_DAEMON_ROOT ?? ROOT);
const MAIN = join(DAEMON_ROOT, 'dist/src/main.js');
/** The V8 flags of the measured build (src/node-flags.ts), so a before/after runs each as shipped. */
const { NODE_FLAGS } = (await import(pathToFileURL(join(DAEMON_ROOT, 'dist/src/node-flags.js')).href)) as {
  NODE_FLAGS: readonly string[];
};
const TOKEN = 'bench-admin-token-0123456789';

/** CPU time (user + system) of a process in milliseconds, from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

/** Resident and peak memory of a process in MB, from /proc. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function startDaemon(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; readyMs: number }> {
  const started = performance.now();
  // BENCH_CPU_PROF=<dir>: the daemon writes a V8 CPU profile there when it exits (see profile-summary.ts).
  const profileDir = process.env.BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [];
  // BENCH_NODE_FLAGS: more V8 / node flags for the daemon, to try one out.
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
  const child = spawn(process.execPath, [...NODE_FLAGS, ...extra, ...profile, MAIN], {
    cwd: DAEMON_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /switchboard ready on (http:\/\/[^"\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
  return { child, url, readyMs: performance.now() - started };
}

async function nodeStartMs(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((r) => spawn(process.execPath, ['-e', '0']).on('exit', () => r()));
  return performance.now() - started;
}

async function api(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Waits for a run to finish, following its SSE stream (no polling cost in the daemon). */
async function waitForEnd(url: string, runId: string): Promise<void> {
  const response = await fetch(`${url}/v1/runs/${runId}/events`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await response.text();
}

/** Starts the bare HTTP server of `bare-http-server.ts` as its own process. */
async function startBare(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/bench/bare-http-server.js')], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolveUrl) => {
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    });
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Measured turns: `turns` console turns (POST, then the run's SSE stream to its end) by `workers`. */
async function drive(
  url: string,
  pid: number,
  options: { turns: number; workers: number; sessionKey: (worker: number, turn: number) => string },
): Promise<{ cpuMsPerTurn: number; turnsPerSec: number; p50: number; p99: number }> {
  const cpuBefore = cpuMs(pid);
  const latencies: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      while (next < options.turns) {
        const i = next++;
        const t0 = performance.now();
        const sent = await api(url, 'POST', '/v1/messages', {
          session_key: options.sessionKey(worker, i),
          text: `message ${i}`,
        });
        await waitForEnd(url, String(sent.run_id));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    cpuMsPerTurn: (cpuMs(pid) - cpuBefore) / options.turns,
    turnsPerSec: options.turns / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const round = (n: number, digits = 1): number => +n.toFixed(digits);

/**
 * The daemon end to end, against issue 18's three targets, each next to a baseline measured in
 * the same run: the daemon's added CPU per console turn over a bare node HTTP server answering
 * the same two exchanges (POST + SSE stream); its peak RSS with `sessions` sessions active (two
 * turns each, `concurrency` at a time) next to its own idle RSS and the bare server's; turns per second with `concurrency`
 * sessions and an instant fake model next to the bare server's exchanges per second. Also the
 * start time next to a bare `node -e 0`. `BENCH_TURNS` overrides the measured turns and
 * `BENCH_CPU_PROF=<dir>` profiles the daemon (see profile-summary.ts).
 */
export async function benchDaemon(
  options: { turns?: number; concurrency?: number; sessions?: number } = {},
): Promise<Record<string, unknown>[]> {
  const turns = options.turns ?? Number(process.env.BENCH_TURNS ?? 2000);
  const concurrency = options.concurrency ?? 16;
  const sessions = options.sessions ?? 1000;
  const fake = await startFakeOpenAI();
  fake.onRequest = () => ({ text: 'ok' });
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const results: Record<string, unknown>[] = [];
  try {
    const nodeMs = await nodeStartMs();
    const spawnedAt = performance.now();
    const { child, url, readyMs } = await startDaemon({
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_HTTP_PORT: '0',
      SWITCHBOARD_ADMIN_TOKEN: TOKEN,
      SWITCHBOARD_LOG_LEVEL: 'info',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      SWITCHBOARD_MODEL: 'fake-model',
    });
    const pid = child.pid!;
    results.push({
      bench: 'daemon_start',
      ready_ms: Math.round(readyMs),
      node_start_ms: Math.round(nodeMs),
      ratio: round(readyMs / nodeMs, 2),
    });
    const bare = await startBare();
    const barePid = bare.child.pid!;
    const idle = memoryMb(pid);
    const bareIdle = memoryMb(barePid);

    // Target (b): `sessions` sessions taking turns, two each, `concurrency` at a time.
    const roundRobin = {
      turns: 2 * sessions,
      workers: concurrency,
      sessionKey: (_: number, turn: number) => `console:active-${turn % sessions}`,
    };
    await drive(url, pid, roundRobin);
    const active = memoryMb(pid);
    await drive(bare.url, barePid, roundRobin);
    const bareActive = memoryMb(barePid);
    results.push({
      bench: 'target_peak_rss_sessions_active',
      sessions,
      turns_per_session: 2,
      concurrency,
      peak_rss_mb: round(active.peak),
      baseline_idle_rss_mb: round(idle.rss),
      baseline_bare_http_peak_rss_mb: round(bareActive.peak),
      baseline_bare_http_idle_rss_mb: round(bareIdle.rss),
      target_mb: 120,
      met: active.peak <= 120,
    });

    // Targets (a) and (c): `concurrency` sessions taking turns, after a warm-up.
    const steady = { turns, workers: concurrency, sessionKey: (w: number) => `console:bench-${w}` };
    await drive(url, pid, { ...steady, turns: 20 * concurrency });
    await drive(bare.url, barePid, { ...steady, turns: 20 * concurrency });
    if (process.env.BENCH_CPU_PROF)
      results.push({ bench: 'daemon_cpu_profile', skip_ms: Math.round(performance.now() - spawnedAt) });
    const daemon = await drive(url, pid, steady);
    const baseline = await drive(bare.url, barePid, steady);
    results.push({
      bench: 'target_added_cpu_per_turn',
      turns,
      concurrency,
      added_ms_per_turn: round(daemon.cpuMsPerTurn - baseline.cpuMsPerTurn, 2),
      cpu_ms_per_turn: round(daemon.cpuMsPerTurn, 2),
      baseline_bare_http_cpu_ms_per_turn: round(baseline.cpuMsPerTurn, 2),
      target_added_ms: 2,
      met: daemon.cpuMsPerTurn - baseline.cpuMsPerTurn <= 2,
    });
    results.push({
      bench: 'target_turns_per_sec',
      turns,
      concurrency,
      turns_per_sec: round(daemon.turnsPerSec),
      p50_ms: round(daemon.p50),
      p99_ms: round(daemon.p99),
      baseline_bare_http_turns_per_sec: round(baseline.turnsPerSec),
      baseline_bare_http_p50_ms: round(baseline.p50),
      target_per_sec: 600,
      met: daemon.turnsPerSec >= 600,
    });
    const after = memoryMb(pid);
    results.push({
      bench: 'daemon_memory_after_load',
      rss_mb: round(after.rss),
      peak_rss_mb: round(after.peak),
    });
    await stop(bare.child);
    await stop(child);
  } finally {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}
