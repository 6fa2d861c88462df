import { startCoreHarness } from '../test/support/core-harness.js';
import { RecordingChannel } from '../test/support/recording-channel.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * The approval round trip with an instant in-process model, through the real core: message →
 * approval card delivered to the channel → decision → the run resumed and finished. Next to it,
 * the same turn without a tool (the baseline of the same run).
 */
export async function benchApprovals(options: { rounds?: number } = {}): Promise<Record<string, unknown>[]> {
  const rounds = options.rounds ?? 100;
  const core = await startCoreHarness({ groups: { admins: ['console:admin'], members: ['console:*'] } });
  const channel = new RecordingChannel('bench');
  core.channels.set('bench', channel);
  const message = (i: number, text: string) => ({
    channel: 'bench',
    eventId: `bench-${text}-${i}`,
    device: 'bench',
    principal: 'console:alice',
    sessionKey: `bench:${i % 8}`,
    conversation: { platform: 'bench', channel: `c${i % 8}` },
    text,
  });
  try {
    const plain: number[] = [];
    for (let i = 0; i < rounds; i++) {
      core.provider.enqueue({ text: 'ok' });
      const t0 = performance.now();
      const { runId } = await core.gateway.submit(message(i, 'plain'));
      await until(async () => (await core.journal.getRun(runId))?.state === 'succeeded');
      plain.push(performance.now() - t0);
    }
    const roundTrip: number[] = [];
    const toCard: number[] = [];
    for (let i = 0; i < rounds; i++) {
      core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: { i } }] }, { text: 'done' });
      const cardsBefore = channel.cards.length;
      const t0 = performance.now();
      const { runId } = await core.gateway.submit(message(i, 'tool'));
      await until(async () => channel.cards.length > cardsBefore);
      toCard.push(performance.now() - t0);
      const card = channel.cards.at(-1)!;
      const outcome = await core.gateway.decideApproval({
        approvalId: card.approvalId,
        decision: 'approve',
        decider: 'console:admin',
      });
      if (!outcome.ok) throw new Error(outcome.message);
      await until(async () => (await core.journal.getRun(runId))?.state === 'succeeded');
      roundTrip.push(performance.now() - t0);
    }
    plain.sort((a, b) => a - b);
    toCard.sort((a, b) => a - b);
    roundTrip.sort((a, b) => a - b);
    return [
      {
        bench: 'approval_round_trip',
        rounds,
        request_to_card_p50_ms: +percentile(toCard, 50).toFixed(2),
        request_to_card_p99_ms: +percentile(toCard, 99).toFixed(2),
        round_trip_p50_ms: +percentile(roundTrip, 50).toFixed(2),
        round_trip_p99_ms: +percentile(roundTrip, 99).toFixed(2),
        baseline_turn_without_tool_p50_ms: +percentile(plain, 50).toFixed(2),
        baseline_turn_without_tool_p99_ms: +percentile(plain, 99).toFixed(2),
      },
    ];
  } finally {
    await core.stop();
  }
}
