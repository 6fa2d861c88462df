import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/index.js';
import { createTelegramDriver } from '../../fakes/telegram/driver.js';
import type { ChannelDriver } from '../driver.js';
import { StubGateway } from '../stub-gateway.js';

const APPROVAL_ID = '01HZX3K8Q6W2V9N4M7P5R1T0YB';

describe.each(['polling', 'webhook'] as const)('the Telegram channel driver (%s)', (transport) => {
  let driver: ChannelDriver | undefined;
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
  });

  async function start(): Promise<{ gateway: StubGateway; channel: Channel; driver: ChannelDriver }> {
    const gateway = new StubGateway();
    driver = createTelegramDriver({ transport });
    const channel = await driver.start(gateway);
    return { gateway, channel, driver };
  }

  it('delivers what people say in a DM and in the group, once even when redelivered', async () => {
    const { gateway, driver } = await start();
    const first = await driver.userSays({ user: 'alice', text: 'hello', where: 'dm' });
    await driver.redeliverLast();
    await driver.userSays({ user: 'alice', text: 'hi all', where: 'group' });
    expect(gateway.received.map((m) => [m.eventId === first, m.principal, m.text])).toEqual([
      [true, driver.principalOf('alice'), 'hello'],
      [false, driver.principalOf('alice'), 'hi all'],
    ]);
  });

  it('shows posted cards, clicks them, and reads slash answers', async () => {
    const { gateway, channel, driver } = await start();
    gateway.decide = () => ({ ok: false, code: 'forbidden', message: 'Not yours to decide.' });
    const receipt = await channel.presentApproval({
      approvalId: APPROVAL_ID,
      runId: 'r1',
      conversation: { platform: 'telegram', channel: driver.principalOf('bob').split(':')[1] ?? '' },
      requester: driver.principalOf('bob'),
      tool: 'shell_exec',
      argsPreview: '{}',
      expiresAt: Date.now() + 60_000,
      state: 'pending',
      decidedBy: null,
      allowSessionScope: false,
    });
    const id = receipt.messageIds[0] ?? '';
    expect(driver.posted()[0]?.buttons.map((b) => b.verb)).toEqual(['approve', 'deny']);
    expect(await driver.click({ user: 'mallory', messageId: id, verb: 'approve' })).toBe(
      'Not yours to decide.',
    );
    expect(gateway.decisions[0]?.decider).toBe(driver.principalOf('mallory'));
    gateway.answer = () => ({ ok: true, text: 'No runs.' });
    expect(await driver.slash({ user: 'bob', name: 'status' })).toBe('No runs.');
  });
});
