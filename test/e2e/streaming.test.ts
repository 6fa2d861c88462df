import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { FakeBotApi } from '../fakes/telegram/fake-bot-api.js';
import type { FakeUser } from '../fakes/telegram/updates.js';
import { startDaemonProcess, tempDataDir } from '../support/daemon-process.js';

const ALICE: FakeUser = { id: 2_000_001, first_name: 'alice' };

const CONFIG = `
groups:
  admins: ["console:admin"]
  members: ["telegram:${ALICE.id}"]
`;

/** How many runs have a draft recorded in the daemon's journal (read-only, beside the daemon). */
function draftsRecorded(dataDir: string): number {
  const db = new Database(join(dataDir, 'journal.sqlite3'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM reply_drafts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('a reply streaming into Telegram when the daemon is killed', () => {
  it('SIGKILL mid-stream → restart → the half message becomes the one final message, no second copy', async () => {
    const model = await startFakeOpenAI();
    const telegram = await FakeBotApi.start();
    const data = tempDataDir();
    const configPath = join(data.dir, 'switchboard.yaml');
    writeFileSync(configPath, CONFIG);
    const env = {
      OPENAI_BASE_URL: `${model.url}/v1`,
      SWITCHBOARD_MODEL: 'fake-model',
      SWITCHBOARD_CONFIG: configPath,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    };
    const shown = () => telegram.messages.filter((m) => !m.deleted && m.chat_id === ALICE.id);
    try {
      model.enqueue({ hang: true, partialText: 'Half of an answer that never' });
      const first = await startDaemonProcess({ env, dataDir: data.dir });
      telegram.enqueue(telegram.makeMessage({ from: ALICE, text: 'tell me everything' }));
      await telegram.until(
        () => shown().some((m) => m.text.includes('Half of an answer')),
        15_000,
        'the draft',
      );
      const draft = shown()[0]!;
      // The kill comes mid-stream, once the daemon recorded the draft Telegram accepted.
      await expect.poll(() => draftsRecorded(data.dir), { timeout: 10_000, interval: 25 }).toBe(1);
      await first.kill();

      const second = await startDaemonProcess({ env, dataDir: data.dir });
      try {
        await telegram.until(() => shown().some((m) => /interrupted/.test(m.text)), 15_000, 'the notice');
        // Let the outbox settle, then look at the chat as alice sees it.
        await new Promise((r) => setTimeout(r, 1_000));
        expect(shown()).toHaveLength(1);
        expect(shown()[0]?.message_id, 'the draft was edited into the notice').toBe(draft.message_id);
        expect(shown()[0]?.text).not.toContain('Half of an answer');
        expect(shown()[0]?.text).toContain('tell me everything');
      } finally {
        await second.stop();
      }
    } finally {
      await telegram.stop();
      await model.close();
      data.cleanup();
    }
  }, 60_000);
});
