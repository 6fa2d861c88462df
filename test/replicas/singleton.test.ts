import { afterAll, describe, expect, it } from 'vitest';
import { SingletonLease, type SingletonStore } from '../../src/gateway/singleton.js';
import { openPostgresJournal, type PostgresJournal } from '../../src/journal/postgres/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { eventually } from './cluster.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from './database.js';

noteLeftOut('the singleton fail-over suite (test/replicas/singleton.test.ts)');

const TTL_MS = 1500;
const logger = createLogger({ level: 'silent' });

/** A replica's view of a singleton connection: its lease, and whether its connection is up. */
interface Replica {
  lease: SingletonLease;
  connected: () => boolean;
  starts: () => number;
  /** Freezes the replica like a SIGKILL would: its lease calls never return. */
  die: () => void;
  /** Makes its database calls fail (the database is unreachable from it). */
  cutOff: () => void;
}

function replica(journal: PostgresJournal, owner: string): Replica {
  let connected = false;
  let starts = 0;
  let mode: 'ok' | 'dead' | 'cut' = 'ok';
  const store: SingletonStore = {
    acquireSingleton: (...args) =>
      mode === 'dead'
        ? new Promise<boolean>(() => {})
        : mode === 'cut'
          ? Promise.reject(new Error('connection refused'))
          : journal.acquireSingleton(...args),
    releaseSingleton: (...args) => (mode === 'ok' ? journal.releaseSingleton(...args) : Promise.resolve()),
  };
  const lease = new SingletonLease({
    name: 'discord',
    owner,
    store,
    ttlMs: TTL_MS,
    retryMs: 200,
    clock: () => Date.now(),
    logger,
    onAcquired: async () => {
      connected = true;
      starts += 1;
    },
    onLost: async () => {
      connected = false;
    },
  });
  return {
    lease,
    connected: () => connected,
    starts: () => starts,
    die: () => {
      mode = 'dead';
    },
    cutOff: () => {
      mode = 'cut';
    },
  };
}

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)(
  'singleton connections across replicas (needs SWITCHBOARD_TEST_DATABASE_URL)',
  () => {
    const schemas = new TestSchemas(TEST_DATABASE_URL ?? 'postgres://unset');
    const journals: PostgresJournal[] = [];
    afterAll(async () => {
      await Promise.all(journals.map((j) => j.close()));
      await schemas.dropAll();
    });

    const open = async (schema: string) => {
      const journal = await openPostgresJournal({ url: TEST_DATABASE_URL ?? '', schema, poolMax: 2 });
      journals.push(journal);
      return journal;
    };

    it('one of three replicas holds the connection; it moves within a lease when the holder dies', async () => {
      const schema = schemas.fresh();
      const replicas = await Promise.all(
        ['a', 'b', 'c'].map(async (owner) => replica(await open(schema), owner)),
      );
      for (const r of replicas) r.lease.start();
      const holder = await eventually('someone holds it', async () => replicas.find((r) => r.connected()));
      await new Promise((r) => setTimeout(r, TTL_MS));
      expect(replicas.filter((r) => r.connected())).toEqual([holder]);
      expect(holder.starts()).toBe(1);

      holder.die();
      const diedAt = Date.now();
      const next = await eventually(
        'a standby took over',
        async () => replicas.find((r) => r !== holder && r.connected()),
        TTL_MS * 4,
      );
      const movedMs = Date.now() - diedAt;
      expect(movedMs).toBeLessThan(TTL_MS + 1000);
      expect(replicas.filter((r) => r !== holder && r.connected())).toEqual([next]);
      for (const r of replicas) if (r !== holder) await r.lease.stop();
      console.info(`[replicas] the singleton moved ${movedMs} ms after its holder died (lease ${TTL_MS} ms)`);
    });

    it('a holder that cannot reach the database steps down once its lease may have lapsed', async () => {
      const schema = schemas.fresh();
      const [a, b] = await Promise.all(['a', 'b'].map(async (owner) => replica(await open(schema), owner)));
      a!.lease.start();
      await eventually('a holds it', async () => (a!.connected() ? true : undefined));
      b!.lease.start();
      a!.cutOff();
      await eventually('a stepped down', async () => (a!.connected() ? undefined : true), TTL_MS * 4);
      await eventually('b took over', async () => (b!.connected() ? true : undefined), TTL_MS * 4);
      await a!.lease.stop();
      await b!.lease.stop();
    });

    it('a holder that stops releases the connection so a standby takes it at once', async () => {
      const schema = schemas.fresh();
      const [a, b] = await Promise.all(['a', 'b'].map(async (owner) => replica(await open(schema), owner)));
      a!.lease.start();
      await eventually('a holds it', async () => (a!.connected() ? true : undefined));
      b!.lease.start();
      await a!.lease.stop();
      expect(a!.connected()).toBe(false);
      const stoppedAt = Date.now();
      await eventually('b took over', async () => (b!.connected() ? true : undefined), TTL_MS);
      expect(Date.now() - stoppedAt).toBeLessThan(TTL_MS);
      await b!.lease.stop();
    });
  },
);
