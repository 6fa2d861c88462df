/**
 * The cost of a turn as a session grows, with compaction on: CPU and wall time per turn around
 * turn 10 and around turn 1,000 of one session, through the real core with an instant model
 * whose summaries are short. The ratio is the figure (target ≤ 1.2).
 */
import type { ModelRequest } from '../src/providers/provider.js';
import { startCoreHarness } from '../test/support/core-harness.js';

const isSummaryRequest = (request: ModelRequest) =>
  String(request.messages[0]?.content ?? '').startsWith('You condense a conversation');

/** Turn cost at turn ~10 and ~1,000 of one session, as JSON lines. */
export async function benchCompaction(
  options: { turns?: number; window?: number } = {},
): Promise<Record<string, unknown>[]> {
  const turns = options.turns ?? 1000;
  const window = options.window ?? 14;
  const core = await startCoreHarness({ groups: { members: ['console:*'] } });
  let summaries = 0;
  core.provider.fallback = (request) =>
    isSummaryRequest(request) ? { text: `Summary ${++summaries}: the team discussed the plan.` } : undefined;
  const cpu: number[] = [];
  const wall: number[] = [];
  const bytes: number[] = [];
  try {
    for (let i = 1; i <= turns; i++) {
      const before = core.provider.requests.length;
      const used = process.cpuUsage();
      const started = performance.now();
      const { runId } = await core.gateway.submit({
        channel: 'bench',
        eventId: `compaction-${i}`,
        device: 'bench',
        principal: 'console:alice',
        sessionKey: 'bench:long-session',
        conversation: { platform: 'bench', channel: 'long' },
        text: `message ${String(i).padStart(4, '0')} ${'about the plan '.repeat(8)}`,
      });
      for (;;) {
        const run = await core.journal.getRun(runId);
        if (run && run.state !== 'accepted' && run.state !== 'running') break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const spent = process.cpuUsage(used);
      cpu[i] = (spent.user + spent.system) / 1000;
      wall[i] = performance.now() - started;
      const request = core.provider.requests.slice(before).find((r) => !isSummaryRequest(r));
      bytes[i] = JSON.stringify(request?.messages ?? []).length;
    }
  } finally {
    await core.stop();
  }
  const mean = (values: number[], from: number) => {
    const slice = values.slice(from, from + window);
    return slice.reduce((a, b) => a + b, 0) / slice.length;
  };
  const early = Math.max(1, 10 - Math.floor(window / 2));
  const late = turns - window + 1;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return [
    {
      bench: 'session_turn_cost',
      compaction: true,
      turns,
      summaries,
      turn_10_cpu_ms: round(mean(cpu, early)),
      [`turn_${turns}_cpu_ms`]: round(mean(cpu, late)),
      turn_10_wall_ms: round(mean(wall, early)),
      [`turn_${turns}_wall_ms`]: round(mean(wall, late)),
      turn_10_request_bytes: Math.round(mean(bytes, early)),
      [`turn_${turns}_request_bytes`]: Math.round(mean(bytes, late)),
      ratio: round(mean(cpu, late) / mean(cpu, early)),
    },
  ];
}
