import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { openJournal } from '../../src/journal/open.js';
import { openPostgresJournal, PG_MIGRATIONS, PostgresJournal } from '../../src/journal/postgres/index.js';
import type { JournalSignal } from '../../src/journal/store.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from '../replicas/database.js';
import { accept, askApproval, MINUTE, message, startRun, T0 } from './contract/fixtures.js';
import { journalContract } from './contract.js';

noteLeftOut('the PostgreSQL journal suites (test/journal/postgres.test.ts)');

const URL_ = TEST_DATABASE_URL ?? 'postgres://unset';

/** Resolves with the first signal `journal` hears that matches, or rejects after `ms`. */
function nextSignal(
  journal: PostgresJournal,
  match: (s: JournalSignal) => boolean,
  ms: number,
): Promise<{ signal: JournalSignal; afterMs: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching signal within ${ms} ms`));
    }, ms);
    const stop = journal.watch((signal) => {
      if (!match(signal)) return;
      clearTimeout(timer);
      stop();
      resolve({ signal, afterMs: performance.now() - start });
    });
  });
}

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL journal (needs SWITCHBOARD_TEST_DATABASE_URL)', () => {
  const schemas = new TestSchemas(URL_);
  afterAll(() => schemas.dropAll());

  journalContract('postgres (fresh schema per test)', () =>
    openPostgresJournal({ url: URL_, schema: schemas.fresh() }),
  );

  /** Two (or more) stores on one fresh schema, as two replicas would have; closed after `fn`. */
  async function replicas(n: number, fn: (stores: PostgresJournal[], schema: string) => Promise<void>) {
    const schema = schemas.fresh();
    const stores = await Promise.all(
      Array.from({ length: n }, () => openPostgresJournal({ url: URL_, schema, poolMax: 4 })),
    );
    try {
      await fn(stores, schema);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }

  describe('several replicas on one database', () => {
    it('replicas starting together migrate the schema once', async () => {
      await replicas(3, async (_stores, schema) => {
        const rows = await schemas.query(schema, 'SELECT version FROM schema_migrations ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
      });
    });

    it('concurrent claimers never claim the same run, and a session never runs two at once', async () => {
      await replicas(2, async ([a, b]) => {
        const ids = new Set<string>();
        for (let i = 0; i < 60; i++) ids.add((await accept(a!, { sessionKey: `s${i % 40}` }, T0 + i)).run.id);
        const claimedBy = new Map<string, string>();
        const claimer = async (store: PostgresJournal, owner: string) => {
          for (let round = 0; round < 40; round++) {
            const runs = await store.claimRuns({ owner, leaseMs: MINUTE, now: T0 + 1000 + round, limit: 3 });
            for (const run of runs) {
              expect(claimedBy.has(run.id), `${run.id} claimed twice`).toBe(false);
              claimedBy.set(run.id, owner);
            }
            // Finish half of them so the second run of a session becomes claimable.
            for (const run of runs.filter((_, i) => i % 2 === 0))
              await store.commitStep(run.id, { now: T0 + 2000, transition: { to: 'succeeded' } });
          }
        };
        await Promise.all([claimer(a!, 'replica-a'), claimer(b!, 'replica-b')]);
        expect(new Set(claimedBy.values())).toEqual(new Set(['replica-a', 'replica-b']));
        const running = await a!.listRuns({ state: 'running', limit: 1000 });
        const sessions = running.map((r) => r.sessionId);
        expect(new Set(sessions).size).toBe(sessions.length);
        for (const id of claimedBy.keys()) expect(ids.has(id)).toBe(true);
      });
    });

    it('concurrent senders never claim the same outbox row', async () => {
      await replicas(2, async ([a, b]) => {
        const run = await startRun(a!);
        const outbox = Array.from({ length: 80 }, (_, i) => ({
          channel: 'discord',
          conversation: run.conversation,
          kind: 'reply' as const,
          payload: { text: `r${i}` },
        }));
        await a!.commitStep(run.id, { now: T0, outbox });
        const seen = new Set<string>();
        const sender = async (store: PostgresJournal, owner: string) => {
          for (;;) {
            const items = await store.claimOutbox({ owner, leaseMs: MINUTE, now: T0 + 1, limit: 4 });
            if (items.length === 0) return;
            for (const item of items) {
              expect(seen.has(item.id), `${item.id} claimed twice`).toBe(false);
              seen.add(item.id);
              await store.completeOutbox(item.id, { messageIds: [item.id] }, T0 + 2);
            }
          }
        };
        await Promise.all([sender(a!, 'a'), sender(b!, 'b'), sender(a!, 'a2'), sender(b!, 'b2')]);
        expect(seen.size).toBe(80);
        expect(await a!.listOutbox({ state: 'delivered', limit: 100 })).toHaveLength(80);
      });
    });

    it('an outbox claim limited to some channels leaves the others to who holds them', async () => {
      await replicas(1, async ([a]) => {
        const run = await startRun(a!);
        await a!.commitStep(run.id, {
          now: T0,
          outbox: ['discord', 'console'].map((channel) => ({
            channel,
            conversation: run.conversation,
            kind: 'reply' as const,
            payload: { text: channel },
          })),
        });
        const mine = await a!.claimOutbox({
          owner: 'a',
          leaseMs: MINUTE,
          now: T0,
          limit: 10,
          channels: ['console'],
        });
        expect(mine.map((o) => o.channel)).toEqual(['console']);
        expect(
          await a!.claimOutbox({ owner: 'a', leaseMs: MINUTE, now: T0, limit: 10, channels: [] }),
        ).toEqual([]);
      });
    });

    it('the same platform event delivered to two replicas at once starts one run', async () => {
      await replicas(2, async ([a, b]) => {
        for (let i = 0; i < 10; i++) {
          const msg = message({ sessionKey: `new-key-${i}` });
          const results = await Promise.all(
            [a!, b!].map((s) => s.acceptInbound({ message: msg, createSession: true, now: T0 + i })),
          );
          expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
          const winner = results.find((r) => !r.duplicate);
          const loser = results.find((r) => r.duplicate);
          expect(loser).toEqual({
            duplicate: true,
            runId: winner && !winner.duplicate ? winner.run.id : null,
          });
        }
        expect(await a!.listRuns({ limit: 100 })).toHaveLength(10);
      });
    });

    it('first messages of one new key on two replicas at once share one session', async () => {
      await replicas(2, async ([a, b]) => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => accept(i % 2 === 0 ? a! : b!, { sessionKey: 'fresh' }, T0 + i)),
        );
        expect(new Set(results.map((r) => r.session.id)).size).toBe(1);
        expect(results.filter((r) => r.sessionCreated)).toHaveLength(1);
      });
    });

    it('a run whose replica died is taken over once its lease expired, never before', async () => {
      await replicas(2, async ([a, b]) => {
        const { run } = await accept(a!);
        const [claimed] = await a!.claimRuns({ owner: 'replica-a', leaseMs: 30_000, now: T0, limit: 1 });
        expect(claimed?.id).toBe(run.id);
        const options = { owner: 'replica-b', leaseMs: 30_000, reason: 'its replica stopped', all: false };
        expect(await b!.recoverRuns({ ...options, now: T0 + 29_999 })).toEqual({ failed: [], resumable: [] });
        const [taken, again] = await Promise.all([
          b!.recoverRuns({ ...options, now: T0 + 30_000 }),
          a!.recoverRuns({ ...options, owner: 'replica-c', now: T0 + 30_000 }),
        ]);
        expect([...taken.failed, ...again.failed].map((r) => r.id)).toEqual([run.id]);
        expect(await b!.getRun(run.id)).toMatchObject({ state: 'failed', reason: 'its replica stopped' });
        const notices = await b!.listOutbox({ runId: run.id, limit: 10 });
        expect(notices.filter((o) => o.kind === 'notice')).toHaveLength(1);
      });
    });

    it('a decided approval of a dead replica’s run is resumed by another one', async () => {
      await replicas(2, async ([a, b]) => {
        const run = await startRun(a!, {}, T0, 'replica-a');
        await askApproval(a!, run, { id: 'ap-x', now: T0, expiresAt: T0 + 10 * MINUTE });
        await b!.decideApproval({
          approvalId: 'ap-x',
          decision: 'approved',
          decider: 'discord:boss',
          scope: 'once',
          now: T0 + 1,
        });
        const recovered = await b!.recoverRuns({
          owner: 'replica-b',
          leaseMs: MINUTE,
          now: T0 + 2 * MINUTE,
          reason: 'x',
          all: false,
        });
        expect(recovered.resumable.map((r) => r.id)).toEqual([run.id]);
        expect(
          await a!.leaseRun(run.id, { owner: 'replica-a', leaseMs: MINUTE, now: T0 + 2 * MINUTE }),
        ).toBeNull();
      });
    });

    it('watch() hears a cancel made through another replica within a second', async () => {
      await replicas(2, async ([a, b]) => {
        const run = await startRun(a!);
        const heard = nextSignal(a!, (s) => s.type === 'run_cancelled', 1000);
        await a!.listening();
        await b!.cancelRun(run.id, 'discord:admin', 'stop', T0 + 1);
        const { signal, afterMs } = await heard;
        expect(signal).toEqual({ type: 'run_cancelled', runId: run.id });
        expect(afterMs).toBeLessThan(1000);
      });
    });

    it('watch() hears accepted runs, decided approvals and new outbox rows, only after commit', async () => {
      await replicas(2, async ([a, b]) => {
        const signals: JournalSignal[] = [];
        const stop = a!.watch((s) => signals.push(s));
        await a!.listening();
        const settle = () => new Promise((r) => setTimeout(r, 300));
        const run = await startRun(b!);
        await askApproval(b!, run, { id: 'ap-w', now: T0, expiresAt: T0 + MINUTE });
        await b!.decideApproval({
          approvalId: 'ap-w',
          decision: 'denied',
          decider: 'discord:x',
          scope: 'once',
          now: T0 + 1,
        });
        await settle();
        expect(signals).toContainEqual({ type: 'run_accepted', runId: run.id });
        expect(signals).toContainEqual({ type: 'approval_decided', approvalId: 'ap-w', runId: run.id });
        expect(signals).toContainEqual({ type: 'outbox' });
        signals.length = 0;
        // A refused step is rolled back, and so is its NOTIFY.
        const reply = {
          channel: 'discord',
          conversation: run.conversation,
          kind: 'reply' as const,
          payload: { text: 'never sent' },
        };
        await expect(
          b!.commitStep(run.id, { now: T0 + 2, expectState: 'accepted', outbox: [reply] }),
        ).rejects.toThrow(/not accepted/);
        await settle();
        stop();
        expect(signals).toEqual([]);
      });
    });

    it('watch() keeps listening after its connection is killed', async () => {
      await replicas(2, async ([a, b], schema) => {
        const stop = a!.watch(() => {});
        await a!.listening();
        // Only this test's listener: other files' replicas listen on the same server.
        const killed = await schemas.query(
          schema,
          'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1',
          [`LISTEN "switchboard:${schema}"`],
        );
        expect(killed.length).toBeGreaterThanOrEqual(1);
        // Until it is back, a cancel may go unheard; once back, every cancel is heard.
        let heardAfterMs = Number.POSITIVE_INFINITY;
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && !Number.isFinite(heardAfterMs)) {
          const run = await startRun(b!);
          const heard = nextSignal(a!, (s) => s.type === 'run_cancelled' && s.runId === run.id, 500);
          await b!.cancelRun(run.id, 'discord:admin', 'stop', T0 + 1);
          heardAfterMs = await heard.then(
            (h) => h.afterMs,
            () => Number.POSITIVE_INFINITY,
          );
        }
        stop();
        expect(heardAfterMs).toBeLessThan(500);
      });
    });

    it('tape triggers refuse UPDATE, DELETE and TRUNCATE', async () => {
      await replicas(1, async ([a], schema) => {
        const run = await startRun(a!);
        for (const sql of [
          "UPDATE tape SET body = '{}'::jsonb WHERE run_id = $1",
          'DELETE FROM tape WHERE run_id = $1',
        ]) {
          await expect(schemas.query(schema, sql, [run.id])).rejects.toThrow(/append-only/);
        }
        await expect(schemas.query(schema, 'TRUNCATE tape CASCADE')).rejects.toThrow(/append-only/);
        expect(await a!.readTape(run.id)).toHaveLength(2);
      });
    });

    it('a singleton is held by one owner until it lapses or is released', async () => {
      await replicas(2, async ([a, b]) => {
        expect(await a!.acquireSingleton('discord', 'replica-a', 10_000, T0)).toBe(true);
        expect(await b!.acquireSingleton('discord', 'replica-b', 10_000, T0 + 5000)).toBe(false);
        expect(await a!.acquireSingleton('discord', 'replica-a', 10_000, T0 + 5000)).toBe(true);
        expect(await b!.acquireSingleton('discord', 'replica-b', 10_000, T0 + 14_999)).toBe(false);
        expect(await b!.acquireSingleton('discord', 'replica-b', 10_000, T0 + 15_000)).toBe(true);
        expect(await a!.acquireSingleton('discord', 'replica-a', 10_000, T0 + 15_001)).toBe(false);
        await b!.releaseSingleton('discord', 'replica-b');
        expect(await a!.acquireSingleton('discord', 'replica-a', 10_000, T0 + 15_002)).toBe(true);
        const race = await Promise.all(
          ['x', 'y', 'z'].map((owner) => b!.acquireSingleton('telegram', owner, 10_000, T0)),
        );
        expect(race.filter(Boolean)).toHaveLength(1);
      });
    });
  });

  describe('opening', () => {
    it('openJournal opens PostgreSQL for a postgres:// URL and reports its kind', async () => {
      const schema = schemas.fresh();
      const journal = await openJournal({ dataDir: '/nonexistent', databaseUrl: schemas.urlFor(schema) });
      expect(journal.kind).toBe('postgres');
      await journal.healthCheck();
      await journal.close();
      await expect(journal.healthCheck()).rejects.toThrow();
    });

    it('an unreachable server is a ConfigError that names it without the password', async () => {
      const error = await openJournal({
        dataDir: '/nonexistent',
        databaseUrl: 'postgresql://sb:s3cret@127.0.0.1:1/nowhere',
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('127.0.0.1:1');
      expect((error as Error).message).not.toContain('s3cret');
    });

    it('an unreachable database fails the health check quickly (healthz answers 503)', async () => {
      const journal = new PostgresJournal({
        url: 'postgres://sb@127.0.0.1:1/none',
        connectionTimeoutMs: 500,
      });
      const started = performance.now();
      await expect(journal.healthCheck()).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(2000);
      await journal.close();
    });

    it('a schema name that is not a plain identifier is refused', async () => {
      await expect(openPostgresJournal({ url: URL_, schema: 'x; drop table' })).rejects.toThrow(ConfigError);
    });

    it('statement_timeout, the pool size and server options can come from the URL', async () => {
      const schema = schemas.fresh();
      const options = encodeURIComponent('-c lock_timeout=4321');
      const url = `${schemas.urlFor(schema)}&statement_timeout_ms=1234&pool_max=3&options=${options}`;
      const journal = await openPostgresJournal({ url });
      const { pool } = journal as unknown as { pool: pg.Pool };
      const show = async (name: string) => (await pool.query(`SHOW ${name}`)).rows[0]?.[name];
      expect(await show('statement_timeout')).toBe('1234ms');
      // The URL's own server options are kept beside the schema's search_path.
      expect(await show('lock_timeout')).toBe('4321ms');
      expect(await show('search_path')).toBe(schema);
      expect(pool.options.max).toBe(3);
      await journal.close();
    });
  });
});
