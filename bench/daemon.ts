import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NODE_FLAGS } from '../src/node-flags.js';
import { startFakeOpenAI } from '../test/fakes/openai-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/main.js');
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
  const child = spawn(process.execPath, [...NODE_FLAGS, ...profile, MAIN], {
    cwd: ROOT,
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

/**
 * The daemon end to end: start time next to a bare `node -e 0` in the same run; console messages
 * per second with an instant fake model (HTTP in, SDK out, SQLite, SSE) with p50/p99 latency; the
 * daemon's CPU per turn next to a minimal HTTP server answering the same exchanges; memory.
 */
export async function benchDaemon(
  options: { messages?: number; concurrency?: number } = {},
): Promise<Record<string, unknown>[]> {
  const messages = options.messages ?? Number(process.env.BENCH_MESSAGES ?? 300);
  const concurrency = options.concurrency ?? 8;
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
    results.push({
      bench: 'daemon_start',
      ready_ms: Math.round(readyMs),
      node_start_ms: Math.round(nodeMs),
      ratio: +(readyMs / nodeMs).toFixed(2),
    });
    const idle = memoryMb(child.pid!);
    results.push({ bench: 'daemon_memory_idle', rss_mb: +idle.rss.toFixed(1) });

    // Warm up, then measure.
    for (let i = 0; i < 20; i++) {
      const sent = await api(url, 'POST', '/v1/messages', {
        session_key: `console:warm-${i % 4}`,
        text: 'warm up',
      });
      await waitForEnd(url, String(sent.run_id));
    }
    const cpuBefore = cpuMs(child.pid!);
    if (process.env.BENCH_CPU_PROF)
      results.push({ bench: 'daemon_cpu_profile', skip_ms: Math.round(performance.now() - spawnedAt) });
    const latencies: number[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        while (next < messages) {
          const i = next++;
          const t0 = performance.now();
          const sent = await api(url, 'POST', '/v1/messages', {
            session_key: `console:bench-${worker}`,
            text: `message ${i}`,
          });
          await waitForEnd(url, String(sent.run_id));
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuPerTurn = (cpuMs(child.pid!) - cpuBefore) / messages;
    latencies.sort((a, b) => a - b);
    const mem = memoryMb(child.pid!);

    // Baseline: a bare HTTP server doing the same two exchanges per turn (POST + streamed GET).
    const baselineCpu = await baselineServerCpuPerTurn(messages, concurrency);
    results.push({
      bench: 'console_messages_e2e',
      messages,
      concurrency,
      messages_per_sec: +(messages / seconds).toFixed(1),
      p50_ms: +percentile(latencies, 50).toFixed(1),
      p99_ms: +percentile(latencies, 99).toFixed(1),
    });
    results.push({
      bench: 'daemon_cpu_per_turn',
      cpu_ms_per_turn: +cpuPerTurn.toFixed(2),
      baseline_http_cpu_ms_per_turn: +baselineCpu.toFixed(2),
      added_ms_per_turn: +(cpuPerTurn - baselineCpu).toFixed(2),
      ratio: +(cpuPerTurn / Math.max(baselineCpu, 0.01)).toFixed(2),
    });
    results.push({
      bench: 'daemon_memory_after_load',
      rss_mb: +mem.rss.toFixed(1),
      peak_rss_mb: +mem.peak.toFixed(1),
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  } finally {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

async function baselineServerCpuPerTurn(messages: number, concurrency: number): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') {
        res
          .writeHead(202, { 'content-type': 'application/json' })
          .end(JSON.stringify({ session_id: 'x', run_id: 'y' }));
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('event: end\ndata: {"state":"succeeded"}\n\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const before = process.cpuUsage();
  let next = 0;
  // The client runs in this process too; measure the server's share by subtracting a client-only pass.
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages) {
        next++;
        await api(url, 'POST', '/v1/messages', { session_key: 'x', text: 'y' });
        await waitForEnd(url, 'y');
      }
    }),
  );
  const used = process.cpuUsage(before);
  server.close();
  return (used.user + used.system) / 1000 / messages / 2;
}
