import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionBindingError } from '../../src/core/errors.js';
import type { InboundMessage } from '../../src/core/types.js';
import type { PolicyEngineHandle } from '../../src/policy/cedar-engine.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';

const poll = { timeout: 10_000, interval: 20 };
let seq = 0;
const message = (key: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'console',
  eventId: `ev-${++seq}`,
  device: 'console',
  principal: 'console:alice',
  sessionKey: key,
  conversation: { platform: 'console', channel: key },
  text,
  ...extra,
});

describe('the gateway and scheduler', () => {
  let core: CoreHarness;
  beforeEach(async () => {
    core = await startCoreHarness({ groups: { admins: ['console:admin'], members: ['console:*'] } });
  });
  afterEach(async () => core.stop());

  it('runs one run per session at a time and queues later messages in arrival order', async () => {
    core.provider.enqueue({ hang: true });
    const first = await core.gateway.submit(message('console:q', 'first'));
    const second = await core.gateway.submit(message('console:q', 'second'));
    const third = await core.gateway.submit(message('console:q', 'third'));
    await expect.poll(async () => (await core.journal.getRun(first.runId))?.state, poll).toBe('running');
    await new Promise((r) => setTimeout(r, 200));
    expect((await core.journal.getRun(second.runId))?.state).toBe('accepted');
    expect((await core.journal.getRun(third.runId))?.state).toBe('accepted');
    await core.gateway.cancelRun(first.runId, 'console:admin');
    await expect.poll(async () => (await core.journal.getRun(third.runId))?.state, poll).toBe('succeeded');
    const second_ = (await core.journal.getRun(second.runId))!;
    const third_ = (await core.journal.getRun(third.runId))!;
    expect(second_.state).toBe('succeeded');
    expect(second_.startedAt!).toBeLessThanOrEqual(third_.startedAt!);
    const texts = core.provider.requests.map((r) => r.messages.at(-1)?.content);
    expect(texts).toEqual(['first', 'second', 'third']);
  });

  it('runs different sessions in parallel up to the global limit', async () => {
    for (let i = 0; i < 6; i++) core.provider.enqueue({ hang: true });
    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(await core.gateway.submit(message(`console:p${i}`, `hi ${i}`)));
    await expect.poll(() => core.scheduler.activeCount, poll).toBe(4);
    await new Promise((r) => setTimeout(r, 200));
    expect(core.scheduler.activeCount).toBe(4);
    const states = await Promise.all(runs.map(async (r) => (await core.journal.getRun(r.runId))!.state));
    expect(states.filter((s) => s === 'running')).toHaveLength(4);
    expect(states.filter((s) => s === 'accepted')).toHaveLength(2);
    for (const r of runs) await core.gateway.cancelRun(r.runId, 'console:admin').catch(() => {});
  });

  it('a session key arriving through another device is refused and nothing is written', async () => {
    await core.gateway.submit(message('shared:key', 'from the console'));
    const before = await core.journal.listRuns({ limit: 50 });
    await expect(
      core.gateway.submit(message('shared:key', 'hijack', { channel: 'discord', device: 'discord:999' })),
    ).rejects.toBeInstanceOf(SessionBindingError);
    const refused = await core.gateway.receive(
      message('shared:key', 'hijack', { channel: 'discord', device: 'discord:999' }),
    );
    expect(refused.status).toBe('refused');
    expect((await core.journal.listRuns({ limit: 50 })).length).toBe(before.length);
  });

  it('a duplicate platform event is accepted once', async () => {
    const m = message('console:dup', 'once');
    const a = await core.gateway.receive(m);
    const b = await core.gateway.receive(m);
    expect(a.status).toBe('accepted');
    expect(b.status).toBe('duplicate');
  });

  it('a person not let in by the policy is refused politely', async () => {
    const result = await core.gateway.receive(
      message('x:1', 'hi', { principal: 'discord:stranger', channel: 'discord', device: 'discord:1' }),
    );
    expect(result).toMatchObject({ status: 'refused' });
    expect((result as { message: string }).message).toMatch(/ask an admin/i);
  });

  it('a policy reload that lets someone in takes effect on their next message', async () => {
    const stranger = message('x:2', 'hi', {
      principal: 'discord:later',
      channel: 'discord',
      device: 'discord:1',
    });
    expect((await core.gateway.receive(stranger)).status).toBe('refused');
    const handle = core.gateway.deps.policy as PolicyEngineHandle;
    expect(
      handle.reload({ groups: { admins: ['console:admin'], members: ['console:*', 'discord:later'] } }).ok,
    ).toBe(true);
    expect((await core.gateway.receive({ ...stranger, eventId: 'ev-later-2' })).status).toBe('accepted');
  });

  it('a reset starts a new session for the key and keeps the old one readable', async () => {
    const first = await core.gateway.submit(message('console:reset', 'before'));
    await core.journal.resetSession('console:reset', Date.now());
    const second = await core.gateway.submit(message('console:reset', 'after'));
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(await core.journal.getSession(first.sessionId)).not.toBeNull();
  });
});
