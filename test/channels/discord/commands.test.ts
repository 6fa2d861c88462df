import { afterEach, describe, expect, it } from 'vitest';
import { FakeWorld } from '../../fakes/discord/index.js';
import { type Harness, startHarness } from './harness.js';

/** Discord's option types used by the commands. */
const STRING = 3;
const INTEGER = 4;
const BOOLEAN = 5;
const USER = 6;

describe('discord slash commands', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('registers /cancel, /usage, /status, /approvals, /new, /grants, /help, /access and /link globally on start', async () => {
    h = await startHarness();
    const global = h.fake.world.commands.get('global') ?? [];
    expect(global.map((command) => command.name).sort()).toEqual([
      'access',
      'approvals',
      'cancel',
      'grants',
      'help',
      'link',
      'new',
      'status',
      'usage',
    ]);
    expect(h.fake.rest.requestsTo('PUT', /^\/applications\/\d+\/commands$/)).toHaveLength(1);
  });

  it('registers per guild when guild ids are configured', async () => {
    const world = new FakeWorld();
    h = await startHarness({ guildIds: [world.guildId] }, { world });
    expect(h.fake.world.commands.get(world.guildId)?.map((command) => command.name)).toHaveLength(9);
    expect(h.fake.world.commands.has('global')).toBe(false);
  });

  it('/usage → ephemeral answer from gateway.command', async () => {
    h = await startHarness();
    const { fake, gateway } = h;
    const admin = fake.world.user('admin');
    const bob = fake.world.user('bob');
    gateway.answer = (request) => ({ ok: true, text: `usage for ${request.args.join(' ')}: 1,234 tokens` });
    const interaction = await fake.slash({
      user: 'admin',
      name: 'usage',
      options: [
        { name: 'user', type: USER, value: bob.id },
        { name: 'days', type: INTEGER, value: 30 },
      ],
    });
    expect(interaction.callbackType).toBe(5);
    expect(gateway.commands).toEqual([
      {
        name: 'usage',
        args: [`discord:${bob.id}`, '30'],
        principal: `discord:${admin.id}`,
        sessionKey: `discord:${fake.world.guildId}:${fake.world.general.id}`,
        conversation: { platform: 'discord', workspace: fake.world.guildId, channel: fake.world.general.id },
        eventId: interaction.id,
      },
    ]);
    const answers = fake.answersTo(interaction);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      content: `usage for discord:${bob.id} 30: 1,234 tokens`,
      ephemeralTo: admin.id,
    });
  });

  it('/usage all, /cancel <run>, /status and /approvals pass their arguments', async () => {
    h = await startHarness({ sessionScope: 'thread' });
    const { fake, gateway } = h;
    await fake.slash({
      user: 'admin',
      name: 'usage',
      options: [{ name: 'all', type: BOOLEAN, value: true }],
    });
    await fake.slash({
      user: 'admin',
      name: 'cancel',
      options: [{ name: 'run', type: STRING, value: '01J0RUN00000000000000000RR' }],
      where: 'joinedThread',
    });
    await fake.slash({ user: 'admin', name: 'status' });
    await fake.slash({ user: 'admin', name: 'approvals', where: 'dm' });
    expect(gateway.commands.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'usage', args: ['all'] },
      { name: 'cancel', args: ['01J0RUN00000000000000000RR'] },
      { name: 'status', args: [] },
      { name: 'approvals', args: [] },
    ]);
    expect(gateway.commands[1]?.sessionKey).toBe(
      `discord:${fake.world.guildId}:${fake.world.joinedThread.id}`,
    );
    expect(gateway.commands[3]?.sessionKey).toBe(`discord:dm:${fake.world.user('admin').id}`);
  });

  it('a slash command replayed with the same interaction id is answered once', async () => {
    h = await startHarness();
    const interaction = await h.fake.slash({ user: 'admin', name: 'status' });
    expect(h.fake.answersTo(interaction).map((m) => m.content)).toEqual(['ran status']);
    h.fake.redeliverInteraction(interaction);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.fake.answersTo(interaction).map((m) => m.content)).toEqual(['ran status']);
    expect(h.fake.posted().filter((m) => m.content === 'ran status')).toHaveLength(1);
  });

  it('a command the gateway marks duplicate leaves no answer behind', async () => {
    h = await startHarness();
    h.gateway.answer = () => ({ ok: true, text: '', duplicate: true });
    const interaction = await h.fake.slash({ user: 'admin', name: 'help' });
    expect(interaction.callbackType).toBe(5);
    expect(h.fake.rest.requestsTo('DELETE', /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/)).toHaveLength(1);
    expect(h.fake.posted()).toEqual([]);
  });

  it('a long command answer continues in ephemeral follow-ups', async () => {
    h = await startHarness();
    h.gateway.answer = () => ({
      ok: true,
      text: Array.from({ length: 120 }, (_, i) => `line ${i} ${'x'.repeat(30)}`).join('\n'),
    });
    const interaction = await h.fake.slash({ user: 'admin', name: 'approvals' });
    await h.fake.waitFor(() => interaction.followUpIds.length >= 1);
    const answers = h.fake.answersTo(interaction);
    expect(answers.length).toBeGreaterThanOrEqual(2);
    for (const answer of answers) {
      expect(answer.content.length).toBeLessThanOrEqual(2000);
      expect(answer.ephemeralTo).toBe(h.fake.world.user('admin').id);
    }
  });
});
