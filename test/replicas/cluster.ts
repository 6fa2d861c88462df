import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';
import type { TestSchemas } from './database.js';

/** Groups every replica of a test cluster shares: admins, approvers and members on the console. */
export const CLUSTER_CONFIG = `
groups:
  admins: ["console:admin"]
  approvers: ["console:alice"]
  members: ["console:*"]
`;

/** Several real daemon processes on one PostgreSQL schema, driven over HTTP. */
export interface Cluster {
  /** The schema all replicas share. */
  schema: string;
  replicas: DaemonProcess[];
  /** One SQL query on the shared schema. */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Starts one more replica on the same schema (a restart or a standby). */
  add(): Promise<DaemonProcess>;
  /** Stops every replica still running and removes their data folders. */
  stop(): Promise<void>;
}

/** Options of `startCluster`. */
export interface ClusterOptions {
  size: number;
  fake: FakeOpenAI;
  schemas: TestSchemas;
  /** `SWITCHBOARD_LEASE_MS` of every replica (run and singleton leases). */
  leaseMs?: number;
  /** YAML config; `CLUSTER_CONFIG` by default. */
  config?: string;
  env?: Record<string, string>;
}

/** Starts `size` replicas on a fresh schema, each with its own data folder, on the fake model. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { fake, schemas } = options;
  const schema = schemas.fresh('sb_r');
  const folders: { dir: string; cleanup: () => void }[] = [];
  const replicas: DaemonProcess[] = [];
  const shared = tempDataDir();
  folders.push(shared);
  const configPath = join(shared.dir, 'switchboard.yaml');
  writeFileSync(configPath, options.config ?? CLUSTER_CONFIG);
  const add = async () => {
    const data = tempDataDir();
    folders.push(data);
    const replica = await startDaemonProcess({
      dataDir: data.dir,
      env: {
        SWITCHBOARD_DATABASE_URL: schemas.urlFor(schema),
        SWITCHBOARD_CONFIG: configPath,
        OPENAI_BASE_URL: `${fake.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        ...(options.leaseMs ? { SWITCHBOARD_LEASE_MS: String(options.leaseMs) } : {}),
        ...options.env,
      },
    });
    replicas.push(replica);
    return replica;
  };
  try {
    // One after the other: a loaded 2-core machine starts three at once too slowly for the
    // start-up timeout (concurrent migration is tested in test/journal/postgres.test.ts).
    for (let i = 0; i < options.size; i++) await add();
  } catch (error) {
    await Promise.all(replicas.map((r) => r.kill()));
    for (const f of folders) f.cleanup();
    throw error;
  }
  return {
    schema,
    replicas,
    query: (sql, params = []) => schemas.query(schema, sql, params),
    add,
    stop: async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      for (const f of folders) f.cleanup();
    },
  };
}

/** Polls `check` every 50 ms until it returns a value that is not undefined, or throws. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
