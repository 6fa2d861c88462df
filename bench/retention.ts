import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupSqliteFile } from '../src/journal/backup.js';
import { pruneJournal } from '../src/journal/retention.js';
import { openSqliteJournal, type SqliteJournal } from '../src/journal/sqlite/index.js';
import type { RetentionKind } from '../src/journal/store.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 1);

/** Old history to prune: finished runs with a model call and a reply each, and journal events. */
async function fill(journal: SqliteJournal, runs: number, events: number): Promise<void> {
  const at = NOW - 100 * DAY;
  for (let i = 0; i < events; i++) await journal.recordEvent('bench.old', { i, pad: 'x'.repeat(200) }, at);
  for (let i = 0; i < runs; i++) {
    const accepted = await journal.acceptInbound({
      message: {
        channel: 'console',
        eventId: `old-${i}`,
        device: 'console',
        principal: 'console:bench',
        sessionKey: `old-${i}`,
        conversation: { platform: 'console', channel: 'bench' },
        text: 'hello '.repeat(50),
      },
      createSession: true,
      now: at,
    });
    if (accepted.duplicate) continue;
    await journal.commitStep(accepted.run.id, { now: at, transition: { to: 'running' } });
    await journal.commitStep(accepted.run.id, {
      now: at,
      tape: [
        { kind: 'provider_request', body: { pad: 'y'.repeat(2000) } },
        { kind: 'provider_response', body: { pad: 'z'.repeat(1000) } },
        { kind: 'reply', body: { text: 'ok' } },
      ],
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      transition: { to: 'succeeded' },
    });
  }
}

/** p50 and max of a list of milliseconds. */
function spread(ms: number[]): { p50_ms: number; p99_ms: number; max_ms: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));
  return { p50_ms: at(0.5), p99_ms: at(0.99), max_ms: Number((sorted.at(-1) ?? 0).toFixed(2)) };
}

/** Step commits of a live run, timed one by one while `busy()` holds (or `count` times). */
async function turnCommits(journal: SqliteJournal, runId: string, busy: () => boolean, count: number) {
  const ms: number[] = [];
  for (let i = 0; busy() || i < count; i++) {
    const started = performance.now();
    await journal.commitStep(runId, {
      now: NOW,
      tape: [{ kind: 'provider_response', body: { text: 'hi' } }],
    });
    ms.push(performance.now() - started);
    await new Promise<void>((resolve) => setImmediate(resolve)); // a turn waits for I/O in between
  }
  return ms;
}

/**
 * Retention on SQLite (DESIGN.md section 9): how long each batch holds the journal, and a live
 * turn's step commit with no pass running (the baseline) next to the same commit while a pass
 * prunes 10,000 old runs and 50,000 events; then the backup of what is left.
 */
export async function benchRetention(): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-retention-'));
  const path = join(dir, 'journal.sqlite3');
  try {
    const journal = await openSqliteJournal({ path });
    await fill(journal, 10_000, 50_000);
    const live = await journal.acceptInbound({
      message: {
        channel: 'console',
        eventId: 'live',
        device: 'console',
        principal: 'console:bench',
        sessionKey: 'live',
        conversation: { platform: 'console', channel: 'bench' },
        text: 'now',
      },
      createSession: true,
      now: NOW,
    });
    if (live.duplicate) throw new Error('unexpected duplicate');
    await journal.commitStep(live.run.id, { now: NOW, transition: { to: 'running' } });
    const sizeBefore = statSync(path).size;
    const baseline = await turnCommits(journal, live.run.id, () => false, 2000);

    const batches = new Map<RetentionKind, number[]>();
    const prune = journal.prune.bind(journal);
    journal.prune = async (request) => {
      const started = performance.now();
      const n = await prune(request);
      batches.set(request.kind, [...(batches.get(request.kind) ?? []), performance.now() - started]);
      return n;
    };
    let passing = true;
    const started = performance.now();
    const pass = pruneJournal(
      journal,
      { events: 30 * DAY, inbox: 7 * DAY, usage: 30 * DAY, tapes: 30 * DAY, batch: 500 },
      NOW,
    ).finally(() => {
      passing = false;
    });
    const during = await turnCommits(journal, live.run.id, () => passing, 0);
    const counts = await pass;
    const passMs = performance.now() - started;
    const figures: Record<string, unknown>[] = [
      {
        bench: 'retention_turn_commit',
        ...spread(baseline),
        baseline: 'no pass running',
        turns: baseline.length,
      },
      { bench: 'retention_turn_commit_during_pass', ...spread(during), turns: during.length },
      {
        bench: 'retention_pass',
        ms: Math.round(passMs),
        pruned: counts,
        mb_before: +(sizeBefore / 1e6).toFixed(1),
        mb_after: +(statSync(path).size / 1e6).toFixed(1),
      },
      ...[...batches].map(([kind, ms]) => ({
        bench: 'retention_batch',
        kind,
        batches: ms.length,
        ...spread(ms),
      })),
    ];
    const backupStarted = performance.now();
    const copy = await backupSqliteFile(path, join(dir, 'backup.sqlite3'));
    figures.push({
      bench: 'backup',
      ms: Math.round(performance.now() - backupStarted),
      pages: copy.pages,
      runs: copy.runs,
    });
    await journal.close();
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
