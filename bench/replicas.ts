import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresJournal } from '../src/journal/postgres/index.js';
import { openSqliteJournal } from '../src/journal/sqlite/index.js';
import type { JournalStore } from '../src/journal/store.js';
import { NODE_FLAGS } from '../src/node-flags.js';
import { startFakeOpenAI } from '../test/fakes/openai-server.js';

/** Options of `benchReplicas`; the defaults keep the whole bench under about a minute. */
export interface ReplicaBenchOptions {
  /** Messages per configuration. */
  messages?: number;
  /** Requests in flight from the client. */
  concurrency?: number;
  /** Replica counts to measure on PostgreSQL. */
  replicas?: number[];
  /** The database to use; a fresh schema is created and dropped per configuration. */
  databaseUrl?: string;
}

const CONFIG = 'groups:\n  members: ["console:*"]\n';
/** The repository: the nearest folder above this file with a package.json (source or dist/). */
const ROOT = (() => {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const MAIN = join(ROOT, 'dist/src/main.js');
const TOKEN = 'bench-admin-token-0123456789';

/** A daemon process the bench drives over HTTP. */
interface DaemonProcess {
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/** Starts `node dist/src/main.js` with `env` on a free port; resolves when it is ready. */
async function startDaemonProcess(options: {
  dataDir: string;
  env: Record<string, string>;
}): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      SWITCHBOARD_DATA_DIR: options.dataDir,
      SWITCHBOARD_HTTP_PORT: '0',
      SWITCHBOARD_ADMIN_TOKEN: TOKEN,
      SWITCHBOARD_LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start in 30 s:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      // Keep only what is needed to find the ready line.
      output = (output + d.toString()).slice(-4000);
      const match = /switchboard ready on (http:\/\/[^"\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolveUrl(match[1] ?? '');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`daemon exited before it was ready:\n${output}`)));
  });
  return {
    api: async (method, path, body) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function summary(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: +percentile(sorted, 50).toFixed(2), p99: +percentile(sorted, 99).toFixed(2) };
}

/** What one end-to-end configuration measured. */
interface Throughput {
  messagesPerSec: number;
  /** Accepted → claimed (run started), in ms: queueing plus the claim itself. */
  acceptToStart: { p50: number; p99: number };
  runsPerReplica: number[];
}

/**
 * Sends `messages` console messages round-robin across `replicas` (one session each) and waits
 * until every reply is delivered, as `delivered()` counts from the journal.
 */
async function drive(
  replicas: DaemonProcess[],
  messages: number,
  concurrency: number,
  journal: { delivered(): Promise<number>; startDelays(): Promise<number[]>; owners(): Promise<number[]> },
): Promise<Throughput> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages) {
        const i = next++;
        const sent = await replicas[i % replicas.length]!.api('POST', '/v1/messages', {
          session_key: `bench-${i}`,
          text: `message ${i}`,
          principal: 'console:bench',
        });
        if (sent.status !== 202)
          throw new Error(`message refused: ${sent.status} ${JSON.stringify(sent.body)}`);
      }
    }),
  );
  const deadline = Date.now() + 120_000;
  while ((await journal.delivered()) < messages) {
    if (Date.now() > deadline) throw new Error('replies were not all delivered within 120 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    messagesPerSec: +(messages / seconds).toFixed(1),
    acceptToStart: summary(await journal.startDelays()),
    runsPerReplica: await journal.owners(),
  };
}

const DELIVERED = "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'reply' AND state = 'delivered'";
const DELAYS = 'SELECT started_at - created_at AS ms FROM runs WHERE started_at IS NOT NULL';
const OWNERS = `SELECT COUNT(*) AS n FROM journal_events WHERE type = 'run.running'
  GROUP BY data->>'owner' ORDER BY 1 DESC`;

async function startReplicas(
  count: number,
  env: Record<string, string>,
  dirs: string[],
): Promise<DaemonProcess[]> {
  const replicas: DaemonProcess[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-replica-'));
    dirs.push(dataDir);
    replicas.push(await startDaemonProcess({ dataDir, env }));
  }
  return replicas;
}

/** One daemon on its embedded SQLite file, the baseline. */
async function sqliteThroughput(base: Record<string, string>, messages: number, concurrency: number) {
  const dirs: string[] = [];
  const replicas = await startReplicas(1, base, dirs);
  const file = join(dirs[0]!, 'journal.sqlite3');
  const db = new Database(file, { readonly: true });
  try {
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    return await drive(replicas, messages, concurrency, {
      delivered: async () => count(DELIVERED),
      startDelays: async () => (db.prepare(DELAYS).all() as { ms: number }[]).map((r) => r.ms),
      owners: async () => [count("SELECT COUNT(*) AS n FROM runs WHERE state = 'succeeded'")],
    });
  } finally {
    db.close();
    await Promise.all(replicas.map((r) => r.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** `count` replicas sharing a fresh schema of `url`. */
async function postgresThroughput(
  url: string,
  count: number,
  base: Record<string, string>,
  messages: number,
  concurrency: number,
) {
  const schema = `sb_bench_${randomBytes(5).toString('hex')}`;
  const target = new URL(url);
  target.searchParams.set('schema', schema);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const dirs: string[] = [];
  let replicas: DaemonProcess[] = [];
  try {
    replicas = await startReplicas(count, { ...base, SWITCHBOARD_DATABASE_URL: target.toString() }, dirs);
    await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
    const rows = async (sql: string) => (await client.query<{ n?: string; ms?: string }>(sql)).rows;
    return await drive(replicas, messages, concurrency, {
      delivered: async () => Number((await rows(DELIVERED))[0]?.n ?? 0),
      startDelays: async () => (await rows(DELAYS)).map((r) => Number(r.ms)),
      owners: async () => (await rows(OWNERS)).map((r) => Number(r.n)),
    });
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  }
}

/**
 * The claim itself, in process: `claimers` loops claim one run at a time from a backlog of
 * `runs` accepted runs (one session each) and finish it, as replicas would; returns the latency
 * of each `claimRuns` call.
 */
async function claimLatency(
  store: JournalStore,
  runs: number,
  claimers: number,
): Promise<{ p50: number; p99: number }> {
  const now = Date.now();
  for (let i = 0; i < runs; i++) {
    await store.acceptInbound({
      message: {
        channel: 'console',
        eventId: `claim-${i}`,
        device: 'console',
        principal: 'console:bench',
        sessionKey: `claim-${i}`,
        conversation: { platform: 'console', channel: `claim-${i}` },
        text: 'x',
      },
      createSession: true,
      now: now + i,
    });
  }
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: claimers }, async (_, c) => {
      for (;;) {
        const t0 = performance.now();
        const [run] = await store.claimRuns({
          owner: `claimer-${c}`,
          leaseMs: 30_000,
          now: Date.now(),
          limit: 1,
        });
        latencies.push(performance.now() - t0);
        if (!run) return;
        await store.commitStep(run.id, { now: Date.now(), transition: { to: 'succeeded' } });
      }
    }),
  );
  return summary(latencies);
}

/**
 * Messages per second end to end (console HTTP in, instant fake model over the OpenAI SDK, reply
 * delivered) for 1, 2 and 3 replicas on PostgreSQL next to one daemon on SQLite, in the same run;
 * the accepted → started delay per configuration; and the latency of one `claimRuns` call with
 * three concurrent claimers on each store. Without a database URL
 * (`SWITCHBOARD_TEST_DATABASE_URL`) only a note figure is returned.
 */
export async function benchReplicas(options: ReplicaBenchOptions = {}): Promise<Record<string, unknown>[]> {
  const url = options.databaseUrl ?? process.env.SWITCHBOARD_TEST_DATABASE_URL;
  if (!url) {
    return [
      {
        bench: 'replicas',
        skipped: true,
        note: 'set SWITCHBOARD_TEST_DATABASE_URL (a database the bench may create schemas in) to measure replicas on PostgreSQL',
      },
    ];
  }
  const messages = options.messages ?? 200;
  const concurrency = options.concurrency ?? 24;
  const counts = options.replicas ?? [1, 2, 3];
  const fake = await startFakeOpenAI();
  fake.onRequest = () => ({ text: 'ok' });
  const configDir = mkdtempSync(join(tmpdir(), 'sb-bench-config-'));
  const configPath = join(configDir, 'switchboard.yaml');
  writeFileSync(configPath, CONFIG);
  const base = {
    OPENAI_BASE_URL: `${fake.url}/v1`,
    SWITCHBOARD_MODEL: 'fake-model',
    SWITCHBOARD_CONFIG: configPath,
  };
  const results: Record<string, unknown>[] = [];
  try {
    const sqlite = await sqliteThroughput(base, messages, concurrency);
    results.push({
      bench: 'replicas_e2e',
      journal: 'sqlite',
      replicas: 1,
      messages,
      concurrency,
      ...flat(sqlite),
    });
    for (const count of counts) {
      const figures = await postgresThroughput(url, count, base, messages, concurrency);
      results.push({
        bench: 'replicas_e2e',
        journal: 'postgres',
        replicas: count,
        messages,
        concurrency,
        ...flat(figures),
      });
    }
    const dir = mkdtempSync(join(tmpdir(), 'sb-bench-claim-'));
    const schema = `sb_bench_${randomBytes(5).toString('hex')}`;
    const stores: JournalStore[] = [
      await openSqliteJournal({ path: join(dir, 'journal.sqlite3') }),
      await openPostgresJournal({ url, schema }),
    ];
    try {
      for (const store of stores) {
        const latency = await claimLatency(store, 300, 3);
        results.push({
          bench: 'replicas_claim',
          journal: store.kind,
          claimers: 3,
          claim_p50_ms: latency.p50,
          claim_p99_ms: latency.p99,
        });
      }
    } finally {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await client.end();
    }
  } finally {
    await fake.close();
    rmSync(configDir, { recursive: true, force: true });
  }
  return results;
}

function flat(t: Throughput): Record<string, unknown> {
  return {
    messages_per_sec: t.messagesPerSec,
    accept_to_start_p50_ms: t.acceptToStart.p50,
    accept_to_start_p99_ms: t.acceptToStart.p99,
    runs_per_replica: t.runsPerReplica,
  };
}
