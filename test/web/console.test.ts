import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';
import { CHROMIUM, CHROMIUM_MISSING, launchChromium, screenshot } from './browser.js';

const ALICE_TOKEN = 'alice-console-token-0123456789';

const CONFIG = `
groups:
  admins: ["console:admin"]
  approvers: ["console:alice"]
  members: ["console:*"]
channels:
  console:
    users:
      - { name: alice, token_env: SWITCHBOARD_CONSOLE_TOKEN_ALICE }
`;

interface Approval {
  id: string;
  state: string;
}

describe.skipIf(CHROMIUM_MISSING)(`the web console in headless Chromium (${CHROMIUM})`, () => {
  let fake: FakeOpenAI;
  let daemon: DaemonProcess;
  let data: { dir: string; cleanup: () => void };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    data = tempDataDir();
    const configPath = join(data.dir, 'switchboard.yaml');
    writeFileSync(configPath, CONFIG);
    daemon = await startDaemonProcess({
      dataDir: data.dir,
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        SWITCHBOARD_CONFIG: configPath,
        SWITCHBOARD_CONSOLE_TOKEN_ALICE: ALICE_TOKEN,
      },
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await fake?.close();
    data?.cleanup();
  });

  /** Sends a message in the open conversation and returns the locator of its turn. */
  const send = async (text: string) => {
    const turns = page.locator('li.turn');
    const before = await turns.count();
    await page.getByLabel('Message').fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => turns.count(), { timeout: 10_000 }).toBe(before + 1);
    const turn = turns.last();
    await expect.poll(() => turn.locator('.from-user p').textContent()).toBe(text);
    return turn;
  };

  const runOf = async (turn: ReturnType<Page['locator']>) => (await turn.getAttribute('data-run')) ?? '';

  it('refuses a wrong token with a message', async () => {
    await page.goto(daemon.url);
    await page.getByLabel('Console token').fill('not-the-right-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not accepted/);
    await screenshot(page, 'sign-in-refused');
  });

  it('signs in with the admin token, which stays out of the URL', async () => {
    await page.getByLabel('Console token').fill(daemon.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('principal').textContent()).toBe('console:admin');
    expect(page.url()).not.toContain(daemon.token);
    await page.reload();
    await expect.poll(() => page.getByTestId('principal').textContent()).toBe('console:admin');
  });

  it('streams the answer as it is produced and shows the run state', async () => {
    const answer = 'Streaming one word at a time from the fake model to the console.';
    fake.enqueue({ text: answer, chunkDelayMs: 120 });
    const turn = await send('hello console');
    const text = turn.getByTestId('answer');
    // Part of the answer is on screen while the run is still running: it is streamed, not polled.
    await expect
      .poll(async () => (await turn.getAttribute('data-state')) === 'running' && (await text.count()) > 0, {
        timeout: 10_000,
      })
      .toBe(true);
    expect((await text.textContent())?.length ?? 0).toBeLessThan(answer.length);
    await expect.poll(() => turn.getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
    expect(await text.textContent()).toBe(answer);
    await expect.poll(() => turn.locator('.badge').first().textContent()).toBe('Run: succeeded');
  });

  it('shows an approval card; Approve runs the tool and the card shows the outcome', async () => {
    fake.enqueue(
      { toolCalls: [{ name: 'shell_exec', arguments: { command: 'echo approved-from-the-browser' } }] },
      { text: 'The command printed approved-from-the-browser.' },
    );
    const turn = await send('please run the command');
    const card = turn.locator('article.approval');
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    expect(await card.locator('pre').textContent()).toContain('echo approved-from-the-browser');
    await screenshot(page, 'chat-approval-pending');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => card.locator('.outcome').textContent()).toMatch(/^Approved by console:admin/);
    await expect.poll(() => turn.getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
    expect(await turn.getByTestId('answer').textContent()).toBe(
      'The command printed approved-from-the-browser.',
    );
    const tape = await daemon.api<{ events: { kind: string; body: { output?: string } }[] }>(
      'GET',
      `/v1/runs/${await runOf(turn)}/tape`,
    );
    const output = tape.body.events.find((e) => e.kind === 'tool_output');
    expect(output?.body.output).toContain('approved-from-the-browser');
    await screenshot(page, 'chat');
  });

  it('cancels a slow run with its Cancel button', async () => {
    fake.enqueue({ hang: true });
    const turn = await send('this one will hang');
    await expect.poll(() => turn.getAttribute('data-state'), { timeout: 10_000 }).toBe('running');
    await turn.getByRole('button', { name: 'Cancel this run' }).click();
    await expect.poll(() => turn.getAttribute('data-state'), { timeout: 10_000 }).toBe('cancelled');
    const run = await daemon.api<{ state: string }>('GET', `/v1/runs/${await runOf(turn)}`);
    expect(run.body.state).toBe('cancelled');
    await expect.poll(() => turn.getByRole('button', { name: 'Cancel this run' }).count()).toBe(0);
  });

  it("shows a run's tape in order with kinds, times and readable bodies", async () => {
    const turn = page.locator('li.turn').nth(1);
    const runId = await runOf(turn);
    await turn.getByRole('link', { name: 'Tape' }).click();
    await expect.poll(() => page.locator('#tape-title').textContent()).toContain(runId);
    const tape = await daemon.api<{ events: { seq: number; kind: string }[] }>(
      'GET',
      `/v1/runs/${runId}/tape`,
    );
    const items = page.locator('li.tape-event');
    await expect.poll(() => items.count()).toBe(tape.body.events.length);
    const shown: [number, string | null][] = [];
    for (const item of await items.all())
      shown.push([Number(await item.getAttribute('data-seq')), await item.getAttribute('data-kind')]);
    expect(shown).toEqual(tape.body.events.map((e) => [e.seq, e.kind]));
    expect(shown.map(([seq]) => seq)).toEqual([...shown.keys()]);
    const toolCall = page.locator('li.kind-tool_call');
    expect(await toolCall.textContent()).toContain('echo approved-from-the-browser');
    expect(await page.locator('li.kind-provider_response').first().textContent()).toMatch(/tokens/);
    expect(await page.locator('li.tape-event time').first().textContent()).toMatch(/^\d{4}-\d\d-\d\d /);
    await screenshot(page, 'tape');
  });

  it('shows a refusal on the approvals page instead of failing silently', async () => {
    fake.enqueue({ toolCalls: [{ name: 'shell_exec', arguments: { command: 'echo decided-elsewhere' } }] });
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:web-approvals',
      text: 'ask for a tool',
      principal: 'console:bob',
    });
    let approval: Approval | undefined;
    await expect
      .poll(
        async () => {
          const list = await daemon.api<{ approvals: Approval[] }>(
            'GET',
            `/v1/approvals?run_id=${sent.body.run_id}`,
          );
          approval = list.body.approvals[0];
          return approval?.state;
        },
        { timeout: 10_000 },
      )
      .toBe('pending');
    await page.goto(`${daemon.url}/#/approvals`);
    const card = page.locator(`article[data-approval="${approval?.id}"]`);
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    await screenshot(page, 'approvals');
    // Someone else decides first (alice, in another window): the click here is refused with why.
    const first = await daemon.api('POST', `/v1/approvals/${approval?.id}/decision`, {
      decision: 'deny',
      principal: 'console:alice',
    });
    expect(first.status).toBe(200);
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toMatch(/already decided/i);
    await expect.poll(() => card.locator('.outcome').textContent()).toMatch(/^Denied by console:alice/);
    await daemon.waitForRun(sent.body.run_id);
  });

  it('Always allow on a card makes a grant for the conversation; the next echo runs unasked until the Grants page revokes it', async () => {
    fake.enqueue(
      { toolCalls: [{ name: 'shell_exec', arguments: { command: 'echo granted-once' } }] },
      { text: 'printed granted-once' },
    );
    await page.goto(`${daemon.url}/#/chat`);
    const turn = await send('echo something for me');
    const card = turn.locator('article.approval');
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    await card.getByLabel('For').selectOption('conversation');
    await card.getByLabel('Until').selectOption('7d');
    await card.getByRole('button', { name: 'Always allow' }).click();
    await expect
      .poll(() => card.locator('.outcome').textContent())
      .toMatch(/^Always allowed by console:admin/);
    await expect.poll(() => turn.getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');

    fake.enqueue(
      { toolCalls: [{ name: 'shell_exec', arguments: { command: 'echo granted-twice' } }] },
      { text: 'printed granted-twice' },
    );
    const covered = await send('and once more');
    await expect.poll(() => covered.getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
    expect(await covered.locator('article.approval').count(), 'no card for a covered call').toBe(0);

    await page.goto(`${daemon.url}/#/grants`);
    const row = page.locator('tr[data-grant]');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.textContent()).toContain('simple commands running echo');
    expect(await row.textContent()).toContain('anyone in console:');
    await screenshot(page, 'grants');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.locator('tr[data-grant]').count(), { timeout: 10_000 }).toBe(0);
    const grants = await daemon.api<{ grants: unknown[] }>('GET', '/v1/grants');
    expect(grants.body.grants).toEqual([]);
  });

  it('filters runs by state', async () => {
    await page.goto(`${daemon.url}/#/runs`);
    await page.getByLabel('State').selectOption('cancelled');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.url()).toContain('state=cancelled');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('this one will hang');
    // Each run names the agent that answers it.
    const agentColumn = await page.locator('thead th').allTextContents();
    expect(agentColumn).toContain('Agent');
    expect(await rows.first().locator('td').nth(agentColumn.indexOf('Agent')).textContent()).toBe('default');
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Principal').fill('console:bob');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.url()).toContain('principal=console%3Abob');
    await expect.poll(() => rows.first().textContent()).toContain('ask for a tool');
    expect(await rows.count()).toBe(1);
    await screenshot(page, 'runs');
  });

  it('shows the recent events and refreshes them live', async () => {
    await page.goto(`${daemon.url}/#/events`);
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('tbody tr[data-type="run.cancelled"]').count()).toBeGreaterThan(0);
    const before = await rows.count();
    await daemon.api('POST', '/v1/messages', { session_key: 'console:web-events', text: 'one more event' });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(before);
    await screenshot(page, 'events');
  });

  it('shows the tokens just spent, the same numbers as GET /v1/usage', async () => {
    await page.goto(`${daemon.url}/#/usage`);
    await page.getByLabel('Window').selectOption('24h');
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const usage = await daemon.api<{ totals: { total_tokens: number; runs: number } }>(
      'GET',
      `/v1/usage?since=${encodeURIComponent(since)}&bucket=hour`,
    );
    expect(usage.body.totals.total_tokens).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByTestId('total-tokens').textContent(), { timeout: 10_000 })
      .toBe(usage.body.totals.total_tokens.toLocaleString('en-US'));
    expect(await page.getByTestId('total-runs').textContent()).toBe(String(usage.body.totals.runs));
    expect(await page.locator('figure.chart svg rect').count()).toBeGreaterThan(0);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'usage');
  });

  it('shows a stranger waiting on the Access page; Approve lets them in', async () => {
    // The request comes from a platform the daemon here has no connection to: raised in its journal.
    const journal = await openSqliteJournal({ path: join(data.dir, 'journal.sqlite3') });
    const now = Date.now();
    const message = {
      channel: 'telegram',
      eventId: 'web-access-1',
      device: 'telegram:1',
      principal: 'telegram:77',
      sessionKey: 'telegram:77',
      conversation: { platform: 'telegram', channel: '77' },
      text: 'hello, may I come in?',
    };
    try {
      await journal.raiseAccessRequest({
        claim: { channel: 'telegram', eventId: message.eventId, now },
        request: {
          id: '01WEBACCESS0000000000000001',
          principal: 'telegram:77',
          channel: 'telegram',
          group: 'members',
          message,
          expiresAt: now + 600_000,
        },
        cards: [],
        now,
      });
    } finally {
      await journal.close();
    }
    await page.goto(`${daemon.url}/#/access`);
    const card = page.locator('article[data-access-request="01WEBACCESS0000000000000001"]');
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    expect(await card.locator('pre').textContent()).toBe('hello, may I come in?');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => card.locator('.outcome').textContent()).toBe('Let in by console:admin');
    await expect
      .poll(async () => JSON.stringify((await daemon.api('GET', '/v1/access')).body))
      .toContain('"principal":"telegram:77","group":"members"');
    await screenshot(page, 'access');

    // Revoke takes the membership back.
    const membership = page.locator('li[data-membership="telegram:77 members"]');
    await expect.poll(() => membership.count(), { timeout: 10_000 }).toBe(1);
    await membership.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => membership.count(), { timeout: 10_000 }).toBe(0);
    expect(JSON.stringify((await daemon.api('GET', '/v1/access')).body)).not.toContain(
      '"principal":"telegram:77","group":"members"',
    );

    // Unlink takes a linked identity back out of its person.
    const linked = await daemon.api('POST', '/v1/links', {
      identity: 'telegram:77',
      person: 'console:alice',
    });
    expect(linked.status).toBe(201);
    const link = page.locator('li[data-link="telegram:77"]');
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
    await link.getByRole('button', { name: 'Unlink' }).click();
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(0);
    expect(JSON.stringify((await daemon.api('GET', '/v1/access')).body)).not.toContain(
      '"principal":"telegram:77","person"',
    );
  });

  it('signs in a console user with their own token, on a phone-sized screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const p = await phone.newPage();
      await p.goto(daemon.url);
      await p.getByLabel('Console token').fill(ALICE_TOKEN);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => p.getByTestId('principal').textContent()).toBe('console:alice');
      // An approver without read_admin sees the approvals page but not the audit log.
      expect(await p.getByRole('link', { name: 'Approvals' }).count()).toBe(1);
      expect(await p.getByRole('link', { name: 'Recent events' }).count()).toBe(0);
      // alice may not read everything: her sessions are those she spoke in (none yet).
      await expect.poll(() => p.locator('.sessions .empty').count()).toBe(1);
      await p.getByLabel('Message').fill('hi from a phone');
      await p.getByRole('button', { name: 'Send' }).click();
      const turn = p.locator('li.turn').last();
      await expect.poll(() => turn.getAttribute('data-state'), { timeout: 10_000 }).toBe('succeeded');
      expect(await turn.locator('.from-user .who').textContent()).toBe('console:alice');
      const overflow = await p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(p, 'chat-phone');
    } finally {
      await phone.close();
    }
  });
});
