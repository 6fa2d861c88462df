import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/ports/channel.js';
import { createSendFileTool } from '../../src/tools/builtins/send-file.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import type { ChannelDriver, PostedMessage } from './driver.js';
import { peopleContract } from './people-contract.js';

const poll = { timeout: 10_000, interval: 25 };

/**
 * The scenarios every chat platform must pass, through the real core (gateway, scheduler,
 * orchestrator, outbox, Cedar policies) and the platform's real client library against its fake.
 * Each adapter's test file calls `channelContract(() => create<Name>Driver())`.
 */
export function channelContract(name: string, makeDriver: () => ChannelDriver): void {
  // An unstarted driver, only to read what the platform can do when the tests are defined.
  describe(`${name} channel contract`, () => {
    let driver: ChannelDriver;
    let core: CoreHarness;
    let channel: Channel;
    /** The commands the stand-in `shell_exec` ran, in order (it runs nothing). */
    let shell: string[];

    beforeEach(async () => {
      shell = [];
      driver = makeDriver();
      const p = (user: string) => driver.principalOf(user);
      core = await startCoreHarness({
        groups: {
          admins: [p('admin')],
          approvers: [p('approver')],
          members: [p('alice'), p('bob')],
        },
        agentTools: ['test_action', 'current_time', 'send_file', 'shell_exec'],
        // The operator's forbid a grant can never override (the "Always allow" scenario).
        extraPolicies: `@id("operator-never-rm-unasked")
forbid (principal, action == Switchboard::Action::"call_tool", resource == Switchboard::Tool::"shell_exec")
when { context.program == "rm" };`,
        addTools: (registry) => {
          // The run's context names the workspace; this is only the fallback.
          registry.register(createSendFileTool({ workspaceDir: '' }));
          // Grants are about the tool's name and arguments; this one records instead of running.
          registry.register({
            name: 'shell_exec',
            description: 'Records the command it was asked to run.',
            parameters: {
              type: 'object',
              properties: { command: { type: 'string' } },
              required: ['command'],
            },
            readOnly: false,
            async run(args) {
              shell.push(String((args as { command?: unknown }).command));
              return { ok: true, output: 'ran' };
            },
          });
        },
      });
      channel = await driver.start(core.gateway);
      core.channels.set(channel.name, channel);
    });

    afterEach(async () => {
      await driver.stop();
      await core.stop();
    });

    const cards = () => driver.posted().filter((m) => m.buttons.length > 0 || /test_action/.test(m.text));
    const lastRun = async () => (await core.journal.listRuns({ limit: 1 }))[0]!;
    /**
     * Once the run is over and the outbox had time to deliver all it holds, the card was edited
     * exactly once for its one decision: the click only answered the clicker, the outbox's
     * `updateApproval` edited the card.
     */
    const expectEditedOnce = async (cardId: string) => {
      await expect.poll(async () => (await lastRun()).state, poll).toBe('succeeded');
      await new Promise((r) => setTimeout(r, 300));
      expect(driver.posted().find((m) => m.id === cardId)?.edits, 'edits of the card').toBe(1);
    };

    it('a person writes in a DM and gets the answer there', async () => {
      core.provider.enqueue({ text: 'Hello alice, nice to meet you.' });
      await driver.userSays({ user: 'alice', text: 'hello', where: 'dm' });
      await expect
        .poll(
          () =>
            driver
              .posted()
              .map((m) => m.text)
              .join('\n'),
          poll,
        )
        .toContain('Hello alice, nice to meet you.');
      const run = await lastRun();
      expect(run.principal).toBe(driver.principalOf('alice'));
      expect(run.text).toBe('hello');
    });

    it('a person addresses the bot in a group and the answer arrives in that conversation', async () => {
      core.provider.enqueue({ text: 'group answer' });
      await driver.userSays({ user: 'bob', text: 'what time is it?', where: 'group' });
      await expect.poll(() => driver.posted().some((m) => m.text.includes('group answer')), poll).toBe(true);
      const run = await lastRun();
      expect(run.text).toBe('what time is it?');
      const reply = driver.posted().find((m) => m.text.includes('group answer'))!;
      expect(reply.channel).toBe(run.conversation.channel);
    });

    it('a long answer arrives split under the platform limit, code fences intact, nothing lost', async () => {
      const code = Array.from({ length: 400 }, (_, i) => `line_${i} = ${i}  # ${'z'.repeat(20)}`).join('\n');
      const answer = `Here is the code:\n\`\`\`python\n${code}\n\`\`\`\nEnd of answer.`;
      core.provider.enqueue({ text: answer });
      await driver.userSays({ user: 'alice', text: 'long please', where: 'dm' });
      await expect
        .poll(() => driver.posted().some((m) => m.text.includes('End of answer.')), poll)
        .toBe(true);
      const parts = driver.posted().filter((m) => !m.ephemeralTo);
      if (answer.length > driver.messageLimit) expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) {
        expect(part.text.length).toBeLessThanOrEqual(driver.messageLimit);
        const fences = part.text.split('\n').filter((l) => l.trim().startsWith('```')).length;
        expect(fences % 2).toBe(0);
      }
      const all = parts.map((m) => m.text).join('\n');
      for (const i of [0, 133, 266, 399]) expect(all).toContain(`line_${i} = ${i}`);
    });

    it('a Markdown answer arrives formatted for the platform, and its mentions ping nobody', async () => {
      core.provider.enqueue({ text: 'Ping @everyone, @here and <@123456>: the **build** is `green`.' });
      await driver.userSays({ user: 'alice', text: 'status?', where: 'group' });
      await expect.poll(() => driver.posted().some((m) => m.text.includes('green')), poll).toBe(true);
      const reply = driver.posted().find((m) => m.text.includes('green'))!;
      expect(reply.text.replace(/\u200b/g, '')).toContain('@everyone');
      expect(reply.text).not.toMatch(/@(everyone|here)\b|<@\d/);
    });

    it('a tool request shows an approval card; an approver clicks Approve, the tool runs once and the card shows it', async () => {
      core.provider.enqueue(
        { toolCalls: [{ name: 'test_action', args: { note: 'deploy' } }] },
        { text: 'deployed!' },
      );
      await driver.userSays({ user: 'alice', text: 'deploy it', where: 'group' });
      await expect.poll(() => cards().length, poll).toBe(1);
      const card = cards()[0]!;
      expect(card.buttons.map((b) => b.verb)).toEqual(expect.arrayContaining(['approve', 'deny']));
      expect(card.text).toContain('test_action');
      expect(core.executions()).toBe(0);
      await driver.click({ user: 'approver', messageId: card.id, verb: 'approve' });
      await expect.poll(() => driver.posted().some((m) => m.text.includes('deployed!')), poll).toBe(true);
      expect(core.executions()).toBe(1);
      await expect.poll(() => edited(driver, card.id), poll).toMatchObject({ buttons: [] });
      expect(edited(driver, card.id)!.text.toLowerCase()).toContain('approved');
      await expectEditedOnce(card.id);
    });

    it('Deny keeps the tool from running and the run finishes', async () => {
      core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: {} }] }, { text: 'ok, not doing it' });
      await driver.userSays({ user: 'alice', text: 'do it', where: 'dm' });
      await expect.poll(() => cards().length, poll).toBe(1);
      await driver.click({ user: 'approver', messageId: cards()[0]!.id, verb: 'deny' });
      await expect
        .poll(() => driver.posted().some((m) => m.text.includes('ok, not doing it')), poll)
        .toBe(true);
      expect(core.executions()).toBe(0);
      expect(edited(driver, cards()[0]!.id)!.text.toLowerCase()).toContain('denied');
      await expectEditedOnce(cards()[0]!.id);
    });

    it('a double click runs the tool once and the second click is told why', async () => {
      core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: {} }] }, { text: 'finished' });
      await driver.userSays({ user: 'alice', text: 'go', where: 'dm' });
      await expect.poll(() => cards().length, poll).toBe(1);
      const id = cards()[0]!.id;
      await driver.click({ user: 'approver', messageId: id, verb: 'approve' });
      const second = await driver.click({ user: 'admin', messageId: id, verb: 'approve' });
      await expect.poll(() => driver.posted().some((m) => m.text.includes('finished')), poll).toBe(true);
      expect(core.executions()).toBe(1);
      expect(second?.toLowerCase()).toMatch(/already|approved/);
      await expectEditedOnce(id);
    });

    it('a click by someone not permitted is refused privately and the approval stays pending', async () => {
      core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: {} }] }, { text: 'after' });
      await driver.userSays({ user: 'alice', text: 'please', where: 'dm' });
      await expect.poll(() => cards().length, poll).toBe(1);
      const card = cards()[0]!;
      const answer = await driver.click({ user: 'bob', messageId: card.id, verb: 'approve' });
      expect(answer?.toLowerCase()).toContain("can't approve");
      const [approval] = await core.journal.listApprovals({ state: 'pending', limit: 5 });
      expect(approval).toBeDefined();
      expect(core.executions()).toBe(0);
      expect(driver.posted().find((m) => m.id === card.id)!.buttons.length).toBeGreaterThan(0);
    });

    it('"Always allow" on an echo runs the next echo unasked, another command still asks, a forbid wins over a grant, and /grants revoke makes it ask again', async () => {
      const asked = async () => (await core.journal.listApprovals({ limit: 10 })).length;
      const pendingCard = () => driver.posted().find((m) => m.buttons.length > 0);
      const says = (text: string) =>
        expect.poll(() => driver.posted().some((m) => m.text.includes(text)), poll);
      core.provider.enqueue(
        { toolCalls: [{ name: 'shell_exec', args: { command: 'echo hi' } }] },
        { text: 'said hi' },
      );
      await driver.userSays({ user: 'alice', text: 'say hi', where: 'dm' });
      await expect.poll(() => pendingCard(), poll).toBeDefined();
      const card = pendingCard()!;
      expect(card.buttons.map((b) => b.verb)).toContain('approve_always');
      expect(card.text).toMatch(/Always allow/);
      // An approver may approve once, but not remember it; an admin may.
      const refused = await driver.click({ user: 'approver', messageId: card.id, verb: 'approve_always' });
      expect(refused).toMatch(/not for good/);
      expect(shell).toEqual([]);
      await driver.click({ user: 'admin', messageId: card.id, verb: 'approve_always' });
      await says('said hi').toBe(true);
      expect(shell).toEqual(['echo hi']);
      await expect.poll(() => edited(driver, card.id)?.text ?? '', poll).toMatch(/Always allowed/);

      core.provider.enqueue(
        { toolCalls: [{ name: 'shell_exec', args: { command: 'echo there' } }] },
        { text: 'said there' },
      );
      await driver.userSays({ user: 'alice', text: 'again', where: 'dm' });
      await says('said there').toBe(true);
      expect(shell).toEqual(['echo hi', 'echo there']);
      expect(await asked(), 'no approval asked for a covered call').toBe(1);

      core.provider.enqueue(
        { toolCalls: [{ name: 'shell_exec', args: { command: 'echo hi; rm -rf ~' } }] },
        { text: 'not that' },
      );
      await driver.userSays({ user: 'alice', text: 'and this', where: 'dm' });
      await expect.poll(asked, poll).toBe(2);
      await expect.poll(() => pendingCard(), poll).toBeDefined();
      await driver.click({ user: 'admin', messageId: pendingCard()!.id, verb: 'deny' });
      await says('not that').toBe(true);
      expect(shell).toEqual(['echo hi', 'echo there']);

      // A forbid in the operator's policies wins over a grant: Always allow on rm, the next rm asks.
      core.provider.enqueue(
        { toolCalls: [{ name: 'shell_exec', args: { command: 'rm -r build' } }] },
        { text: 'removed build' },
      );
      await driver.userSays({ user: 'alice', text: 'clean build', where: 'dm' });
      await expect.poll(asked, poll).toBe(3);
      await expect.poll(() => pendingCard(), poll).toBeDefined();
      await driver.click({ user: 'admin', messageId: pendingCard()!.id, verb: 'approve_always' });
      await says('removed build').toBe(true);
      expect(shell).toEqual(['echo hi', 'echo there', 'rm -r build']);
      core.provider.enqueue(
        { toolCalls: [{ name: 'shell_exec', args: { command: 'rm -r dist' } }] },
        { text: 'asked about dist' },
      );
      await driver.userSays({ user: 'alice', text: 'clean dist', where: 'dm' });
      await expect.poll(asked, poll).toBe(4);
      await expect.poll(() => pendingCard(), poll).toBeDefined();
      await driver.click({ user: 'admin', messageId: pendingCard()!.id, verb: 'deny' });
      await says('asked about dist').toBe(true);
      expect(shell, 'the forbid won over the rm grant').toEqual(['echo hi', 'echo there', 'rm -r build']);

      const listed = await driver.slash({ user: 'admin', name: 'grants' });
      const grant = (await core.journal.listGrants({ now: Date.now() })).find(
        (g) => g.pattern.kind === 'program' && g.pattern.program === 'echo',
      );
      expect(listed).toContain(grant!.id);
      expect(listed).toContain('echo');
      const revoked = await driver.slash({ user: 'admin', name: 'grants', args: ['revoke', grant!.id] });
      expect(revoked).toContain(`Revoked grant ${grant!.id}`);
      core.provider.enqueue(
        { toolCalls: [{ name: 'shell_exec', args: { command: 'echo back' } }] },
        { text: 'asked again' },
      );
      await driver.userSays({ user: 'alice', text: 'once more', where: 'dm' });
      await expect.poll(asked, poll).toBe(5);
      await expect.poll(() => pendingCard(), poll).toBeDefined();
      expect(shell).toEqual(['echo hi', 'echo there', 'rm -r build']);
    });

    it('a request in a DM nobody there may approve also shows its card in the admin conversation; deciding it there edits both', async () => {
      // The admin conversation is the group channel: learn its reference from a message there.
      core.provider.enqueue({ text: 'hello group' });
      await driver.userSays({ user: 'bob', text: 'hi all', where: 'group' });
      await expect.poll(async () => (await lastRun())?.state, poll).toBe('succeeded');
      const group = (await lastRun()).conversation;
      core.adminConversations.set(driver.platform, group);

      core.provider.enqueue(
        { toolCalls: [{ name: 'test_action', args: { note: 'from a DM' } }] },
        { text: 'did it' },
      );
      await driver.userSays({ user: 'alice', text: 'please do it', where: 'dm' });
      const withButtons = () => driver.posted().filter((m) => m.buttons.length > 0);
      await expect.poll(() => withButtons().length, poll).toBe(2);
      const inGroup = withButtons().find((m) => m.channel === group.channel)!;
      const inDm = withButtons().find((m) => m.channel !== group.channel)!;
      expect(inGroup, 'a copy in the admin conversation').toBeDefined();
      expect(inDm, 'the card where it was asked').toBeDefined();
      const run = await lastRun();
      expect(inDm.channel).toBe(run.conversation.channel);

      await driver.click({ user: 'admin', messageId: inGroup.id, verb: 'approve' });
      await expect.poll(() => driver.posted().some((m) => m.text.includes('did it')), poll).toBe(true);
      expect(core.executions()).toBe(1);
      for (const card of [inGroup, inDm]) {
        await expect.poll(() => edited(driver, card.id)?.buttons.length, poll).toBe(0);
        expect(edited(driver, card.id)!.text.toLowerCase()).toContain('approved');
      }
      // A request in the group itself keeps its one card there.
      core.provider.enqueue(
        { toolCalls: [{ name: 'test_action', args: { note: 'in the group' } }] },
        { text: 'ok' },
      );
      await driver.userSays({ user: 'alice', text: 'and here', where: 'group' });
      await expect.poll(() => withButtons().length, poll).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(withButtons()).toHaveLength(1);
    });

    it('a reply the platform took but whose answer was lost shows once where the platform lets us look', async () => {
      // Not streamed: this is about the outbox's delivery, not a draft.
      core.provider.enqueue({ text: 'landed exactly once', stream: false });
      driver.loseNextPostAnswer();
      await driver.userSays({ user: 'alice', text: 'answer me', where: 'dm' });
      const copies = () => driver.posted().filter((m) => m.text.includes('landed exactly once')).length;
      await expect.poll(copies, poll).toBeGreaterThanOrEqual(1);
      // The outbox retries the lost delivery (after about 2 s); wait until it is settled.
      await expect
        .poll(async () => (await core.journal.listOutbox({ state: 'pending', limit: 5 })).length, poll)
        .toBe(0);
      const [item] = await core.journal.listOutbox({ state: 'delivered', limit: 5 });
      expect(driver.pendingFaults(), 'the answer was lost').toBe(0);
      expect(item?.attempts).toBe(2);
      // Telegram has no idempotency key and a bot cannot read the chat: at-least-once, documented.
      expect(copies()).toBe(driver.recognisesRepost ? 1 : 2);
      expect(item?.receipt?.messageIds).toHaveLength(1);
    });

    const streamed = `${Array.from({ length: 45 }, (_, i) => `word${i}`).join(' ')}.`;
    const showing = (start: string) => driver.posted().filter((m) => m.text.startsWith(start));

    it('a streamed draft the platform took but whose answer was lost shows once where the platform lets us look', async () => {
      core.provider.enqueue({ text: streamed, streamMs: 1_500 });
      driver.loseNextPostAnswer();
      await driver.userSays({ user: 'alice', text: 'stream, and lose the first post', where: 'dm' });
      await expect.poll(async () => (await lastRun()).state, poll).toBe('succeeded');
      await expect
        .poll(async () => (await core.journal.listOutbox({ state: 'pending', limit: 5 })).length, poll)
        .toBe(0);
      expect(driver.pendingFaults(), 'the draft post was lost').toBe(0);
      await expect.poll(() => showing('word0').some((m) => m.text.includes('word44')), poll).toBe(true);
      // Telegram has no idempotency key and a bot cannot read the chat: at-least-once, documented.
      expect(showing('word0')).toHaveLength(driver.recognisesRepost ? 1 : 2);
    });

    it('a streamed answer shows at once, is edited in place at the platform rate, and ends as the model wrote it, once', async () => {
      core.provider.enqueue({ text: streamed, streamMs: 3_500 });
      await driver.userSays({ user: 'alice', text: 'stream please', where: 'dm' });
      await expect.poll(() => showing('word0').length, poll).toBe(1);
      const draft = showing('word0')[0]!;
      expect(draft.text, 'visible before the model is done').not.toBe(streamed);
      expect((await lastRun()).state).toBe('running');
      await expect.poll(async () => (await lastRun()).state, poll).toBe('succeeded');
      await expect.poll(() => driver.posted().find((m) => m.id === draft.id)?.text, poll).toBe(streamed);
      const final = driver.posted().find((m) => m.id === draft.id)!;
      expect(final.edits, 'two or more edits while streaming, then the final text').toBeGreaterThanOrEqual(3);
      expect(showing('word0'), 'one message, no second copy').toHaveLength(1);
      // The drafts keep to the platform's cadence; the outbox's final text follows at once.
      const interval = channel.draftIntervalMs?.((await lastRun()).conversation) ?? 0;
      expect(interval).toBeGreaterThan(0);
      const draftEdits = (final.editedAt ?? []).slice(0, -1);
      for (let i = 1; i < draftEdits.length; i++)
        expect(draftEdits[i]! - draftEdits[i - 1]!).toBeGreaterThanOrEqual(interval * 0.9);
    });

    it('a 429 on a draft edit only delays it: the answer still ends complete, once', async () => {
      driver.rateLimitNextEdit(1_000);
      core.provider.enqueue({ text: streamed, streamMs: 2_000 });
      await driver.userSays({ user: 'alice', text: 'stream through a rate limit', where: 'dm' });
      await expect.poll(async () => (await lastRun()).state, poll).toBe('succeeded');
      await expect.poll(() => showing('word0').map((m) => m.text), poll).toEqual([streamed]);
      expect(driver.pendingFaults(), 'the 429 was met').toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(showing('word0')).toHaveLength(1);
    });

    it('a file the agent sends from its workspace arrives as a real attachment, once', async () => {
      writeFileSync(join(core.workspaceDir, 'report.csv'), 'name,count\nalice,3\nbob,12\n');
      core.provider.enqueue(
        { toolCalls: [{ name: 'send_file', args: { path: 'report.csv', caption: 'the weekly report' } }] },
        { text: 'I sent you the report.', stream: false },
      );
      await driver.userSays({ user: 'alice', text: 'send me the report', where: 'dm' });
      await expect
        .poll(() => driver.posted().some((m) => m.text.includes('I sent you the report.')), poll)
        .toBe(true);
      const withFiles = driver.posted().filter((m) => (m.files ?? []).length > 0);
      expect(withFiles).toHaveLength(1);
      expect(withFiles[0]?.files).toEqual([{ name: 'report.csv', size: 26 }]);
      expect(withFiles[0]?.text).toContain('the weekly report');
      const [item] = await core.journal
        .listOutbox({ state: 'delivered', limit: 10 })
        .then((items) => items.filter((i) => i.kind === 'file'));
      expect(item?.receipt?.messageIds).toHaveLength(1);
    });

    it('a streamed answer that outgrows one message continues in the next, fences balanced, nothing twice', async () => {
      const lines = Math.ceil((driver.messageLimit * 1.6) / 40);
      const code = Array.from({ length: lines }, (_, i) => `row_${i} = ${i}  # ${'y'.repeat(20)}`).join('\n');
      const answer = `Here it comes:\n\`\`\`python\n${code}\n\`\`\`\nAll done.`;
      core.provider.enqueue({ text: answer, streamMs: 2_500 });
      await driver.userSays({ user: 'alice', text: 'a lot of code please', where: 'dm' });
      await expect.poll(() => showing('Here it comes').length, poll).toBe(1);
      const first = showing('Here it comes')[0]!;
      await expect.poll(async () => (await lastRun()).state, poll).toBe('succeeded');
      await expect.poll(() => driver.posted().some((m) => m.text.includes('All done.')), poll).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      const parts = driver
        .posted()
        .filter((m) => !m.ephemeralTo && /row_|Here it comes|All done/.test(m.text));
      expect(parts.length).toBeGreaterThan(1);
      expect(parts[0]?.id, 'the first message is the one first shown').toBe(first.id);
      for (const part of parts) {
        expect(part.text.length).toBeLessThanOrEqual(driver.messageLimit);
        expect(part.text.split('\n').filter((l) => l.trim().startsWith('```')).length % 2).toBe(0);
      }
      const all = parts.map((m) => m.text).join('\n');
      for (const i of [0, Math.floor(lines / 2), lines - 1]) {
        expect(all.split(`row_${i} = ${i} `).length - 1, `row_${i} once`).toBe(1);
      }
    });

    it('a run cancelled mid-stream leaves its message saying it stopped, not half an answer', async () => {
      core.provider.enqueue({ hang: true, streamFirst: 'Half of an answer that' });
      await driver.userSays({ user: 'alice', text: 'think aloud', where: 'dm' });
      await expect.poll(() => showing('Half of an answer').length, poll).toBe(1);
      const draft = showing('Half of an answer')[0]!;
      await driver.slash({ user: 'alice', name: 'cancel', args: [(await lastRun()).id] });
      await expect.poll(async () => (await lastRun()).state, poll).toBe('cancelled');
      await expect
        .poll(() => driver.posted().find((m) => m.id === draft.id)?.text, poll)
        .toMatch(/^Half of an answer that\s+[_*]?\(stopped: the run was cancelled\)[_*]?$/);
    });

    it('the same platform event delivered twice starts one run', async () => {
      core.provider.enqueue({ text: 'only once' });
      await driver.userSays({ user: 'alice', text: 'dedupe me', where: 'dm' });
      await driver.redeliverLast();
      await expect
        .poll(() => driver.posted().filter((m) => m.text.includes('only once')).length, poll)
        .toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(await core.journal.listRuns({ limit: 10 })).toHaveLength(1);
      expect(driver.posted().filter((m) => m.text.includes('only once'))).toHaveLength(1);
    });

    it('someone who is not let in gets one polite answer and no run', async () => {
      await driver.userSays({ user: 'stranger', text: 'hi bot', where: 'dm' });
      await expect.poll(() => driver.posted().length, poll).toBe(1);
      expect(driver.posted()[0]!.text.toLowerCase()).toMatch(/sorry|not allowed|not on the list/);
      expect(await core.journal.listRuns({ limit: 10 })).toHaveLength(0);
    });

    it('the same stranger message delivered three times gets one refusal', async () => {
      await driver.userSays({ user: 'stranger', text: 'hi bot, again', where: 'dm' });
      await driver.redeliverLast();
      await driver.redeliverLast();
      await expect.poll(() => driver.posted().length, poll).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 500));
      const refusals = driver.posted().filter((m) => REFUSAL.test(m.text));
      expect(refusals).toHaveLength(1);
      expect(driver.posted()).toHaveLength(1);
      expect(await core.journal.listRuns({ limit: 10 })).toHaveLength(0);
    });

    it("a stranger's /status, /approvals and /help are refused once, privately where the platform allows, and reveal nothing", async () => {
      core.provider.enqueue(
        { toolCalls: [{ name: 'test_action', args: { note: 'deploy' } }] },
        { text: 'done' },
      );
      await driver.userSays({ user: 'alice', text: 'deploy it', where: 'group' });
      await expect.poll(() => cards().length, poll).toBe(1);
      const [approval] = await core.journal.listApprovals({ state: 'pending', limit: 5 });
      expect(approval).toBeDefined();
      const secrets = [
        approval!.id,
        approval!.tool,
        driver.principalOf('alice'),
        'Runs:',
        'Model:',
        'Commands:',
      ];
      const publicBefore = driver.posted().filter((m) => m.ephemeralTo === undefined).length;

      for (const name of ['status', 'approvals', 'help'] as const) {
        const answer = await driver.slash({ user: 'stranger', name, where: 'group' });
        expect(answer, `/${name}`).toMatch(REFUSAL);
        expect(answer.match(/sorry/gi) ?? [], `/${name} answered once`).toHaveLength(1);
        for (const secret of secrets) expect(answer, `/${name} reveals ${secret}`).not.toContain(secret);
        if (driver.privateSlashAnswers) expect(driver.lastSlashWasPrivate(), `/${name} private`).toBe(true);
      }
      // Where answers are private nothing new is public; elsewhere each command got one reply.
      const publicAfter = driver.posted().filter((m) => m.ephemeralTo === undefined).length;
      expect(publicAfter - publicBefore).toBe(driver.privateSlashAnswers ? 0 : 3);
      expect(core.executions()).toBe(0);
    });

    // Telegram: the same update again; Discord: a replayed interaction; Slack: a proxy's retry.
    it('a slash command delivered twice is answered once', async () => {
      const first = await driver.slash({ user: 'alice', name: 'usage' });
      expect(first).not.toBe('');
      const answers = await driver.redeliverLastSlash();
      expect(answers).toEqual([first]);
    });

    it('/new starts a fresh session: the next request carries no earlier turns', async () => {
      core.provider.enqueue({ text: 'noted the pineapple' }, { text: 'you said pineapple' });
      await driver.userSays({ user: 'alice', text: 'remember the word pineapple', where: 'dm' });
      await expect.poll(async () => (await lastRun()).state, poll).toBe('succeeded');
      const before = await lastRun();
      await driver.userSays({ user: 'alice', text: 'what was the word?', where: 'dm' });
      await expect
        .poll(async () => (await lastRun()).id !== before.id && (await lastRun()).state, poll)
        .toBe('succeeded');
      const sameSession = await lastRun();
      expect(sameSession.sessionId).toBe(before.sessionId);
      expect(JSON.stringify(core.provider.requests.at(-1)?.messages)).toContain('pineapple');

      const answer = await driver.slash({ user: 'alice', name: 'new', where: 'dm' });
      expect(answer).toMatch(/afresh/i);
      core.provider.enqueue({ text: 'what word?' });
      await driver.userSays({ user: 'alice', text: 'and now?', where: 'dm' });
      await expect
        .poll(async () => (await lastRun()).id !== sameSession.id && (await lastRun()).state, poll)
        .toBe('succeeded');
      const fresh = await lastRun();
      expect(fresh.sessionId).not.toBe(before.sessionId);
      expect(JSON.stringify(core.provider.requests.at(-1)?.messages)).not.toContain('pineapple');
      // The earlier session stays readable.
      expect((await core.journal.getSession(before.sessionId))?.closedAt).not.toBeNull();
    });

    it('/usage answers the caller with the tokens spent', async () => {
      core.provider.enqueue({ text: 'spent some tokens' });
      await driver.userSays({ user: 'alice', text: 'count me', where: 'dm' });
      await expect
        .poll(() => driver.posted().some((m) => m.text.includes('spent some tokens')), poll)
        .toBe(true);
      await expect.poll(async () => (await lastRun()).state, poll).toBe('succeeded');
      const answer = await driver.slash({ user: 'alice', name: 'usage' });
      expect(answer).toContain('15 tokens');
    });

    it('/cancel stops a running run', async () => {
      core.provider.enqueue({ hang: true });
      await driver.userSays({ user: 'alice', text: 'think hard', where: 'dm' });
      await expect.poll(async () => (await lastRun())?.state, poll).toBe('running');
      const answer = await driver.slash({ user: 'alice', name: 'cancel', args: [(await lastRun()).id] });
      expect(answer.toLowerCase()).toContain('cancel');
      await expect.poll(async () => (await lastRun()).state, poll).toBe('cancelled');
    });
  });
  peopleContract(name, makeDriver);
}

/** How a refusal reads on every platform. */
const REFUSAL = /sorry|not on the list|not allowed/i;

function edited(driver: ChannelDriver, id: string): PostedMessage | undefined {
  return driver.posted().find((m) => m.id === id && m.edits > 0);
}
