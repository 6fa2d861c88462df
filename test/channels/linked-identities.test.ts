import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordDriver } from '../fakes/discord/driver.js';
import { createSlackDriver } from '../fakes/slack/driver.js';
import { createTelegramDriver } from '../fakes/telegram/driver.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import type { ChannelDriver } from './driver.js';

const poll = { timeout: 10_000, interval: 25 };

/** A code out of `/link`'s answer. */
function codeIn(answer: string): string {
  const code = /([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(answer)?.[1];
  if (!code) throw new Error(`no link code in: ${answer}`);
  return code;
}

/**
 * One person on Discord, Slack and Telegram at once, through the three real adapters on one core:
 * a code shown on Discord and typed on the others makes one principal, whose groups and usage
 * (spent before the link too) follow the person.
 */
describe('linked identities across Discord, Slack and Telegram', () => {
  let core: CoreHarness;
  let discord: ChannelDriver;
  let slack: ChannelDriver;
  let telegram: ChannelDriver;

  beforeEach(async () => {
    discord = createDiscordDriver();
    slack = createSlackDriver();
    telegram = createTelegramDriver();
    // Slack's principals name its team, known once its fake runs: alice is let in after the start.
    core = await startCoreHarness({ groups: { admins: [], approvers: [], members: [] } });
    for (const driver of [discord, slack, telegram]) {
      const channel = await driver.start(core.gateway);
      core.channels.set(channel.name, channel);
    }
    await core.journal.grantMembership({
      principal: discord.principalOf('alice'),
      group: 'members',
      by: 'test',
      now: Date.now(),
    });
    await core.journal.grantMembership({
      principal: slack.principalOf('alice'),
      group: 'members',
      by: 'test',
      now: Date.now(),
    });
    await core.gateway.people.refresh();
  });

  afterEach(async () => {
    for (const driver of [discord, slack, telegram]) await driver.stop();
    await core.stop();
  });

  const answered = (driver: ChannelDriver, text: string) =>
    expect.poll(() => driver.posted().some((m) => m.text.includes(text)), poll).toBe(true);

  it('a code shown on Discord and typed on Telegram and Slack merges groups and usage into one person', async () => {
    const person = discord.principalOf('alice');
    core.provider.enqueue({ text: 'hi on discord' }, { text: 'hi on slack' }, { text: 'hi on telegram' });
    await discord.userSays({ user: 'alice', text: 'hello', where: 'dm' });
    await answered(discord, 'hi on discord');
    await slack.userSays({ user: 'alice', text: 'hello', where: 'dm' });
    await answered(slack, 'hi on slack');
    await telegram.userSays({ user: 'alice', text: 'hello', where: 'dm' });
    await expect.poll(() => telegram.posted().some((m) => /sorry/i.test(m.text)), poll).toBe(true);

    const linkedTelegram = await telegram.slash({
      user: 'alice',
      name: 'link',
      args: [codeIn(await discord.slash({ user: 'alice', name: 'link', where: 'dm' }))],
      where: 'dm',
    });
    expect(linkedTelegram).toContain(person);
    await telegram.userSays({ user: 'alice', text: 'me again', where: 'dm' });
    await answered(telegram, 'hi on telegram');

    const code = codeIn(await discord.slash({ user: 'alice', name: 'link', where: 'dm' }));
    expect(await slack.slash({ user: 'alice', name: 'link', args: [code], where: 'dm' })).toContain(person);
    expect(await slack.slash({ user: 'alice', name: 'link', args: [code], where: 'dm' })).toMatch(/already/);

    const runs = await core.journal.listRuns({ limit: 10 });
    expect(runs.map((r) => r.sessionId).length, 'sessions stay per conversation').toBe(3);
    expect(new Set(runs.map((r) => r.sessionId)).size).toBe(3);
    await expect
      .poll(async () => (await core.journal.listRuns({ state: 'succeeded', limit: 10 })).length, poll)
      .toBe(3);
    const usage = await telegram.slash({ user: 'alice', name: 'usage', where: 'dm' });
    expect(usage).toContain(`${person}: 45 tokens`);
    expect(usage).toContain('3 runs');
    expect(usage).not.toContain(slack.principalOf('alice'));
  });
});
