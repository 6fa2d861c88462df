import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FakeDiscord, FakeWorld } from '../fakes/discord/index.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { SlackRequestSender } from '../fakes/slack/requests.js';
import { FakeSlackApi } from '../fakes/slack/web-api.js';
import { FakeBotApi } from '../fakes/telegram/fake-bot-api.js';
import type { FakeUser } from '../fakes/telegram/updates.js';
import { startDaemonProcess, tempDataDir } from '../support/daemon-process.js';

/** One platform's fake, as the real daemon talks to it: what to set, how alice writes, what she sees. */
interface Rig {
  env: Record<string, string>;
  principal: string;
  /** Alice writes `text` to the bot in a DM (through the daemon at `url` where the platform pushes). */
  say(text: string, url: string): Promise<void>;
  /** The bot's messages alice sees in that DM, as text. */
  shown(): { id: string; text: string }[];
  stop(): Promise<void>;
}

async function telegramRig(): Promise<Rig> {
  const telegram = await FakeBotApi.start();
  const alice: FakeUser = { id: 2_000_001, first_name: 'alice' };
  return {
    env: { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot },
    principal: `telegram:${alice.id}`,
    async say(text) {
      telegram.enqueue(telegram.makeMessage({ from: alice, text }));
    },
    shown: () =>
      telegram.messages
        .filter((m) => !m.deleted && m.chat_id === alice.id)
        .map((m) => ({ id: String(m.message_id), text: m.text })),
    stop: () => telegram.stop(),
  };
}

async function discordRig(): Promise<Rig> {
  const world = new FakeWorld();
  const discord = await FakeDiscord.start({ world });
  const alice = world.user('alice');
  return {
    env: {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: world.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    },
    principal: `discord:${alice.id}`,
    async say(text) {
      discord.say({ user: 'alice', text, where: 'dm' });
    },
    shown: () =>
      discord
        .posted()
        .filter((m) => !m.deleted && m.channelId === world.dmWith(alice.id).id)
        .map((m) => ({ id: m.id, text: m.content })),
    stop: () => discord.stop(),
  };
}

async function slackRig(): Promise<Rig> {
  const slack = new FakeSlackApi();
  await slack.start();
  const secret = 'e2e-signing-secret';
  let daemonUrl = '';
  const sender = new SlackRequestSender(secret, () => async (request) => {
    const answer = await fetch(`${daemonUrl}/slack/events`, {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request.rawBody,
    });
    return { status: answer.status, body: await answer.text() };
  });
  return {
    env: { SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: secret, SLACK_API_URL: slack.apiUrl },
    principal: `slack:${slack.team}:UALICE`,
    async say(text, url) {
      daemonUrl = url;
      const ts = slack.nextTs();
      slack.addUserMessage({ channel: 'DALICE', user: 'UALICE', text, ts });
      const event = {
        type: 'message',
        channel_type: 'im',
        channel: 'DALICE',
        user: 'UALICE',
        text,
        ts,
        team: slack.team,
        event_ts: ts,
      };
      const answer = await sender.event(event);
      if (answer.status !== 200) throw new Error(`the daemon answered Slack ${answer.status}`);
    },
    shown: () =>
      slack
        .botMessages()
        .filter((m) => !m.deleted && !m.ephemeralTo && m.channel === 'DALICE')
        .map((m) => ({ id: m.ts, text: m.text })),
    stop: () => slack.stop(),
  };
}

/** How many runs have a draft recorded in the daemon's journal (read-only, beside the daemon). */
function draftsRecorded(dataDir: string): number {
  const db = new Database(join(dataDir, 'journal.sqlite3'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM reply_drafts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('a reply streaming into the chat when the daemon is killed', () => {
  for (const [platform, makeRig] of [
    ['Telegram', telegramRig],
    ['Discord', discordRig],
    ['Slack', slackRig],
  ] as const) {
    it(`${platform}: SIGKILL mid-stream → restart → the half message becomes the one final message, no second copy`, async () => {
      const model = await startFakeOpenAI();
      const rig = await makeRig();
      const data = tempDataDir();
      const configPath = join(data.dir, 'switchboard.yaml');
      writeFileSync(configPath, `groups:\n  admins: ["console:admin"]\n  members: ["${rig.principal}"]\n`);
      const env = {
        OPENAI_BASE_URL: `${model.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        SWITCHBOARD_CONFIG: configPath,
        ...rig.env,
      };
      const answer = () => rig.shown().filter((m) => !/^_?thinking/.test(m.text));
      try {
        model.enqueue({ hang: true, partialText: 'Half of an answer that never' });
        const first = await startDaemonProcess({ env, dataDir: data.dir });
        await rig.say('tell me everything', first.url);
        await expect
          .poll(() => answer().some((m) => m.text.includes('Half of an answer')), {
            timeout: 15_000,
            interval: 25,
          })
          .toBe(true);
        const draft = answer()[0]!;
        // The kill comes mid-stream, once the daemon recorded the draft the platform accepted.
        await expect.poll(() => draftsRecorded(data.dir), { timeout: 10_000, interval: 25 }).toBe(1);
        await first.kill();

        const second = await startDaemonProcess({ env, dataDir: data.dir });
        try {
          await expect
            .poll(() => rig.shown().some((m) => /interrupted/.test(m.text)), {
              timeout: 15_000,
              interval: 25,
            })
            .toBe(true);
          // Let the outbox settle, then look at the chat as alice sees it.
          await new Promise((r) => setTimeout(r, 1_000));
          expect(rig.shown().map((m) => m.text)).toEqual([expect.stringMatching(/interrupted/)]);
          expect(rig.shown()[0]?.id, 'the draft was edited into the notice').toBe(draft.id);
          expect(rig.shown()[0]?.text).toContain('tell me everything');
        } finally {
          await second.stop();
        }
      } finally {
        await rig.stop();
        await model.close();
        data.cleanup();
      }
    }, 60_000);
  }
});
