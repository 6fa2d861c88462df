import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteJournal } from '../src/journal/sqlite/index.js';

/** Options of `benchTapeAppend`; the defaults keep the whole bench around 4 s. */
export interface TapeAppendBenchOptions {
  /** How long each of the two measurements runs, in ms. */
  durationMs?: number;
  /** Appends before measuring, to warm statements and the page cache. */
  warmup?: number;
}

const BODY = { text: 'The answer is 42.', usage: { promptTokens: 120, completionTokens: 12 } };

/** Totals of one contender. */
interface Tally {
  ops: number;
  ms: number;
}

/**
 * Times the contenders in alternating chunks of 50 appends, so both see the same WAL size,
 * checkpoints and disk weather, until `durationMs` per contender has passed.
 */
async function measure(durationMs: number, warmup: number, contenders: (() => unknown)[]): Promise<Tally[]> {
  for (const append of contenders) for (let i = 0; i < warmup; i++) await append();
  const tallies = contenders.map(() => ({ ops: 0, ms: 0 }));
  const deadline = performance.now() + durationMs * contenders.length;
  while (performance.now() < deadline) {
    for (const [index, append] of contenders.entries()) {
      const start = performance.now();
      for (let i = 0; i < 50; i++) await append();
      const tally = tallies[index]!;
      tally.ms += performance.now() - start;
      tally.ops += 50;
    }
  }
  return tallies;
}

/**
 * Tape appends per second through `SqliteJournal.commitStep` (one tape event per step, temp
 * file, default pragmas) next to raw better-sqlite3 inserts of the same rows into the same run
 * with the same pragmas, one `BEGIN IMMEDIATE` transaction each, and the ratio of the two.
 */
export async function benchTapeAppend(
  options: TapeAppendBenchOptions = {},
): Promise<Record<string, unknown>[]> {
  const { durationMs = 1500, warmup = 200 } = options;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const path = join(dir, 'journal.sqlite3');
  try {
    const journal = await openSqliteJournal({ path });
    const now = Date.now();
    const accepted = await journal.acceptInbound({
      message: {
        channel: 'console',
        eventId: 'bench',
        device: 'console',
        principal: 'console:bench',
        sessionKey: 'console:bench',
        conversation: { platform: 'console', channel: 'bench' },
        text: 'bench',
      },
      createSession: true,
      now,
    });
    if (accepted.duplicate) throw new Error('bench database was not empty');
    const runId = accepted.run.id;
    await journal.commitStep(runId, { now, transition: { to: 'running' } });

    const step = { now, tape: [{ kind: 'reply' as const, body: BODY }] };
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('foreign_keys = ON');
    const maxSeq = raw.prepare<[string], { s: number | null }>(
      'SELECT MAX(seq) AS s FROM tape WHERE run_id = ?',
    );
    const insert = raw.prepare('INSERT INTO tape (run_id, seq, kind, at, body) VALUES (?, ?, ?, ?, ?)');
    // Both sides interleave on one run, so the raw side reads the next seq in its transaction too.
    const appendRaw = raw.transaction(() => {
      insert.run(runId, (maxSeq.get(runId)?.s ?? -1) + 1, 'reply', now, JSON.stringify(BODY));
    });
    const [viaJournal, viaRaw] = (await measure(durationMs, warmup, [
      () => journal.commitStep(runId, step),
      () => appendRaw.immediate(),
    ])) as [Tally, Tally];
    raw.close();
    await journal.close();

    const journalOps = Math.round((viaJournal.ops / viaJournal.ms) * 1000);
    const rawOps = Math.round((viaRaw.ops / viaRaw.ms) * 1000);
    return [
      {
        bench: 'tape_append',
        impl: 'sqlite_journal.commitStep',
        ops: viaJournal.ops,
        ms: Math.round(viaJournal.ms),
        ops_per_sec: journalOps,
      },
      {
        bench: 'tape_append',
        impl: 'raw_better_sqlite3',
        ops: viaRaw.ops,
        ms: Math.round(viaRaw.ms),
        ops_per_sec: rawOps,
      },
      { bench: 'tape_append', impl: 'journal_vs_raw', ratio: Number((journalOps / rawOps).toFixed(3)) },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await benchTapeAppend()) console.log(JSON.stringify(figure));
}
