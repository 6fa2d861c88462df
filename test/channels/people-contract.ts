import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAccess } from '../../src/config/access-schema.js';
import { hashLinkCode } from '../../src/gateway/identity-links.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import type { ChannelDriver } from './driver.js';

const poll = { timeout: 10_000, interval: 25 };
const REFUSAL = /sorry/i;

/**
 * The people scenarios every chat platform must pass (DESIGN.md section 9): a stranger's access
 * request shown to admins as a card in the admin conversation, decided there, revoked; and a
 * one-time link code shown on another platform (the console) typed here. Run by
 * `channelContract` for each adapter.
 */
export function peopleContract(name: string, makeDriver: () => ChannelDriver): void {
  describe(`${name} people contract`, () => {
    let driver: ChannelDriver;
    let core: CoreHarness;
    const channelAccess = new Map<string, ChannelAccess>();

    beforeEach(async () => {
      driver = makeDriver();
      const p = (user: string) => driver.principalOf(user);
      core = await startCoreHarness({
        groups: { admins: [p('admin')], approvers: [], members: [p('alice'), 'console:*'] },
        channelAccess,
      });
      const channel = await driver.start(core.gateway);
      core.channels.set(channel.name, channel);
      channelAccess.set(driver.platform, {
        mode: 'request',
        group: 'members',
        adminConversation: { platform: driver.platform, ...driver.groupConversation() },
      });
    });

    afterEach(async () => {
      await driver.stop();
      await core.stop();
      channelAccess.clear();
    });

    const cards = () => driver.posted().filter((m) => /access request/i.test(m.text));
    const refusals = () =>
      driver.posted().filter((m) => REFUSAL.test(m.text) && !/access request/i.test(m.text));
    const says = (text: string) => driver.posted().some((m) => m.text.includes(text));

    it('a stranger is refused once, admins get one card, Approve answers the message, revoke refuses again', async () => {
      const stranger = driver.principalOf('stranger');
      core.provider.enqueue({ text: 'welcome aboard' }, { text: 'second answer' });
      await driver.userSays({ user: 'stranger', text: 'may I join?', where: 'dm' });
      await expect.poll(() => cards().length, poll).toBe(1);
      await driver.redeliverLast();
      await new Promise((r) => setTimeout(r, 300));
      expect(refusals(), 'one polite answer').toHaveLength(1);
      expect(cards(), 'one card to the admins').toHaveLength(1);
      const card = cards()[0]!;
      expect(card.channel).toBe(driver.groupConversation().channel);
      expect(card.text).toContain('may I join?');
      expect(card.buttons.map((b) => b.verb)).toEqual(expect.arrayContaining(['approve', 'deny']));
      expect(await core.journal.listRuns({ limit: 5 })).toHaveLength(0);

      const answer = await driver.click({ user: 'admin', messageId: card.id, verb: 'approve' });
      if (answer !== undefined) expect(answer.toLowerCase()).toContain('let in');
      await expect.poll(() => says('welcome aboard'), poll).toBe(true);
      const [run] = await core.journal.listRuns({ limit: 5 });
      expect(run?.text).toBe('may I join?');
      expect(run?.principal).toBe(stranger);
      await expect
        .poll(() => driver.posted().find((m) => m.id === card.id && m.edits > 0)?.buttons.length, poll)
        .toBe(0);
      expect(
        driver
          .posted()
          .find((m) => m.id === card.id)
          ?.text.toLowerCase(),
      ).toContain('approved');

      await driver.userSays({ user: 'stranger', text: 'and now?', where: 'dm' });
      await expect.poll(() => says('second answer'), poll).toBe(true);
      expect(refusals()).toHaveLength(1);

      const listed = await driver.slash({ user: 'admin', name: 'access', where: 'group' });
      expect(listed).toContain(`${stranger} in members`);
      const revoked = await driver.slash({
        user: 'admin',
        name: 'access',
        args: ['revoke', stranger],
        where: 'group',
      });
      expect(revoked).toContain('Took back');
      await driver.userSays({ user: 'stranger', text: 'still there?', where: 'dm' });
      await expect.poll(() => refusals().length, poll).toBe(2);
      expect(await core.journal.listRuns({ limit: 5 })).toHaveLength(2);
      const events = (await core.journal.recentEvents(100)).map((e) => e.type);
      expect(events).toEqual(
        expect.arrayContaining(['access.requested', 'access.approved', 'access.revoked']),
      );
    });

    it('a click by someone not permitted is refused and the request stays; a second click is told it was decided', async () => {
      await driver.userSays({ user: 'stranger', text: 'let me in', where: 'dm' });
      await expect.poll(() => cards().length, poll).toBe(1);
      const card = cards()[0]!;
      const refused = await driver.click({ user: 'alice', messageId: card.id, verb: 'approve' });
      if (refused !== undefined) expect(refused).toMatch(/can't let people in/);
      expect((await core.journal.listAccessRequests({ state: 'pending', limit: 5 })).length).toBe(1);
      await driver.click({ user: 'admin', messageId: card.id, verb: 'deny' });
      const again = await driver.click({ user: 'admin', messageId: card.id, verb: 'approve' });
      if (again !== undefined) expect(again).toMatch(/already denied/);
      expect(await core.journal.listMemberships()).toHaveLength(0);
      expect(await core.journal.listRuns({ limit: 5 })).toHaveLength(0);
    });

    it('a link code shown on the console and typed here makes one person: let in, usage merged', async () => {
      core.provider.enqueue({ text: 'console answer' }, { text: 'linked answer' });
      await core.gateway.submit(console_message('hello from the console'));
      await expect
        .poll(async () => (await core.journal.listRuns({ limit: 1 }))[0]?.state, poll)
        .toBe('succeeded');
      const shown = await core.gateway.command({ name: 'link', args: [], principal: 'console:carol' });
      const code = /([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(shown.text)?.[1];
      expect(code, shown.text).toBeDefined();

      const linked = await driver.slash({ user: 'stranger', name: 'link', args: [code!], where: 'dm' });
      expect(linked).toContain('Linked');
      await driver.userSays({ user: 'stranger', text: 'it is me, carol', where: 'dm' });
      await expect.poll(() => says('linked answer'), poll).toBe(true);
      expect(cards(), 'no access request: carol is a member').toHaveLength(0);
      const usage = await driver.slash({ user: 'stranger', name: 'usage', where: 'dm' });
      expect(usage).toContain('console:carol: 30 tokens');
      expect(usage).toContain('2 runs');

      const reused = await driver.slash({ user: 'bob', name: 'link', args: [code!], where: 'dm' });
      expect(reused).toMatch(/already used/);
    });

    it('a wrong or expired link code is refused and links nothing', async () => {
      const wrong = await driver.slash({ user: 'stranger', name: 'link', args: ['ABCD-EFGH'], where: 'dm' });
      expect(wrong).toMatch(/not valid/);
      const now = Date.now();
      await core.journal.createLinkCode({
        codeHash: hashLinkCode('EXPD-2345'),
        principal: 'console:carol',
        expiresAt: now - 1,
        now: now - 600_000,
      });
      const expired = await driver.slash({
        user: 'stranger',
        name: 'link',
        args: ['EXPD-2345'],
        where: 'dm',
      });
      expect(expired).toMatch(/expired/);
      expect(await core.journal.listIdentityLinks()).toHaveLength(0);
    });
  });
}

function console_message(text: string) {
  return {
    channel: 'console',
    eventId: `console-${Date.now()}`,
    device: 'console',
    principal: 'console:carol',
    sessionKey: 'console:carol',
    conversation: { platform: 'console', channel: 'carol' },
    text,
  };
}
