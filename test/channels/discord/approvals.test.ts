import { afterEach, describe, expect, it } from 'vitest';
import { previewArgs } from '../../../src/core/approval-card.js';
import type { ApprovalCard, DecisionOutcome, DecisionRequest } from '../../../src/index.js';
import { INTERACTION_DEADLINE_MS } from '../../fakes/discord/rest.js';
import { type Harness, startHarness } from './harness.js';

type Approval = Extract<DecisionOutcome, { ok: true; approval: unknown }>['approval'];

const APPROVAL_ID = '01J0APPROVAL0000000000000A';

describe('discord approval cards', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const cardFor = (overrides: Partial<ApprovalCard> = {}): ApprovalCard => ({
    approvalId: APPROVAL_ID,
    runId: '01J0RUN00000000000000000RR',
    conversation: {
      platform: 'discord',
      workspace: h!.fake.world.guildId,
      channel: h!.fake.world.general.id,
    },
    requester: `discord:${h!.fake.world.user('alice').id}`,
    tool: 'shell_exec',
    argsPreview: '{"command":"ls -la /tmp"}',
    expiresAt: Date.UTC(2030, 0, 1, 12, 0, 0),
    state: 'pending',
    decidedBy: null,
    allowSessionScope: true,
    ...overrides,
  });

  const approvalOf = (request: DecisionRequest): Approval => ({
    id: request.approvalId,
    runId: '01J0RUN00000000000000000RR',
    sessionId: 's1',
    state: request.decision === 'approve' ? 'approved' : 'denied',
    toolCallId: 'call_1',
    tool: 'shell_exec',
    args: { command: 'ls -la /tmp' },
    argsHash: 'hash',
    requester: `discord:${h!.fake.world.user('alice').id}`,
    conversation: cardFor().conversation,
    createdAt: Date.now(),
    expiresAt: Date.UTC(2030, 0, 1, 12, 0, 0),
    decidedBy: request.decider,
    decidedAt: Date.now(),
    scope: request.scope === 'session' ? 'session' : 'once',
    reason: null,
    cardReceipt: null,
    grantId: null,
  });

  const buttonsOf = (components: unknown[]) =>
    (components as { components: { label: string; custom_id: string; style: number }[] }[]).flatMap(
      (row) => row.components,
    );

  it('an approval card shows who asked, the tool, the expiry and buttons with compact custom_ids', async () => {
    h = await startHarness();
    const receipt = await h.channel.presentApproval(cardFor());
    const [card] = h.fake.posted();
    expect(receipt.messageIds).toEqual([card?.id]);
    expect(card?.content).toContain('shell_exec');
    expect(card?.content).toContain(`<@${h.fake.world.user('alice').id}>`);
    expect(card?.content).toContain('ls -la /tmp');
    expect(card?.content).toContain(`<t:${Date.UTC(2030, 0, 1, 12, 0, 0) / 1000}:R>`);
    expect(buttonsOf(card?.components ?? []).map(({ label, custom_id }) => ({ label, custom_id }))).toEqual([
      { label: 'Approve', custom_id: `sb:approve:${APPROVAL_ID}` },
      { label: 'Approve for session', custom_id: `sb:approve_session:${APPROVAL_ID}` },
      { label: 'Deny', custom_id: `sb:deny:${APPROVAL_ID}` },
    ]);
    // No pings from a card.
    expect(h.fake.rest.requestsTo('POST', /\/messages$/)[0]?.body).toMatchObject({
      allowed_mentions: { parse: [] },
    });
  });

  it('no "Approve for session" button unless the card allows it, and a redelivered card is posted once', async () => {
    h = await startHarness();
    const first = await h.channel.presentApproval(cardFor({ allowSessionScope: false }));
    const second = await h.channel.presentApproval(cardFor({ allowSessionScope: false }));
    expect(second).toEqual(first);
    const [card] = h.fake.posted();
    expect(h.fake.posted()).toHaveLength(1);
    expect(buttonsOf(card?.components ?? []).map((button) => button.label)).toEqual(['Approve', 'Deny']);
  });

  it('a click → decideApproval with the clicker, deferred within 3 seconds before deciding', async () => {
    h = await startHarness();
    const { messageIds } = await h.channel.presentApproval(cardFor());
    const approver = h.fake.world.user('approver');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let deferredBeforeDecision = false;
    const gateway = h.gateway;
    const fake = h.fake;
    gateway.decideApproval = async (request) => {
      gateway.decisions.push(request);
      deferredBeforeDecision =
        fake.world.interactions.size === 1 && [...fake.world.interactions.values()][0]?.callbackType === 6;
      await gate;
      return { ok: true, approval: approvalOf(request), message: 'Approved.' };
    };
    const clicked = fake.click({ user: 'approver', messageId: messageIds[0]!, verb: 'approve' });
    await fake.waitFor(() => gateway.decisions.length === 1);
    release();
    const interaction = await clicked;

    expect(gateway.decisions).toEqual([
      { approvalId: APPROVAL_ID, decision: 'approve', scope: 'once', decider: `discord:${approver.id}` },
    ]);
    expect(deferredBeforeDecision).toBe(true);
    expect((interaction.callbackAt ?? Number.POSITIVE_INFINITY) - interaction.createdAt).toBeLessThan(
      INTERACTION_DEADLINE_MS,
    );
    // Only the clicker is told; the card is left to the outbox's updateApproval (one edit).
    expect(fake.answersTo(interaction)).toMatchObject([{ content: 'Approved.', ephemeralTo: approver.id }]);
    const card = fake.world.message(messageIds[0]!);
    expect(card?.edits).toBe(0);
    expect(buttonsOf(card?.components ?? [])).toHaveLength(3);
  });

  it('"Approve for session" and "Deny" clicks carry their scope and decision', async () => {
    h = await startHarness();
    const { messageIds } = await h.channel.presentApproval(cardFor());
    h.gateway.decide = (request) => ({ ok: true, approval: approvalOf(request), message: 'ok' });
    await h.fake.click({ user: 'approver', messageId: messageIds[0]!, verb: 'approve_session' });
    await h.fake.click({ user: 'approver', messageId: messageIds[0]!, verb: 'deny' });
    expect(h.gateway.decisions.map(({ decision, scope }) => ({ decision, scope }))).toEqual([
      { decision: 'approve', scope: 'session' },
      { decision: 'deny', scope: undefined },
    ]);
  });

  it('a refused click → ephemeral text for the clicker, card untouched', async () => {
    h = await startHarness();
    const { messageIds } = await h.channel.presentApproval(cardFor());
    h.gateway.decide = () => ({ ok: false, code: 'forbidden', message: "You can't approve this." });
    const before = structuredClone(h.fake.posted()[0]);
    const interaction = await h.fake.click({ user: 'intruder', messageId: messageIds[0]!, verb: 'approve' });
    const answers = h.fake.answersTo(interaction);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      content: "You can't approve this.",
      ephemeralTo: h.fake.world.user('intruder').id,
    });
    const card = h.fake.world.message(messageIds[0]!);
    expect(card?.edits).toBe(0);
    expect(card?.components).toEqual(before?.components);
    expect(card?.content).toBe(before?.content);
  });

  it("shows the core's arguments preview whole, and the longest one the core makes fits one message", async () => {
    h = await startHarness();
    const long = `{"note":"${'x'.repeat(1300)}"}`;
    const first = await h.channel.presentApproval(
      cardFor({ approvalId: `${APPROVAL_ID.slice(0, -1)}B`, argsPreview: long }),
    );
    expect(h.fake.world.message(first.messageIds[0]!)?.content).toContain(long);
    const fences = previewArgs({ command: '`'.repeat(5000) });
    const second = await h.channel.presentApproval(cardFor({ argsPreview: fences }));
    const content = h.fake.world.message(second.messageIds[0]!)?.content ?? '';
    expect(content.length).toBeLessThanOrEqual(2000);
    expect(content.match(/```/g)).toHaveLength(2);
  });

  it('updateApproval edits the card in place and removes the buttons', async () => {
    h = await startHarness();
    const receipt = await h.channel.presentApproval(cardFor());
    const approver = h.fake.world.user('approver');
    await h.channel.updateApproval(
      cardFor({ state: 'denied', decidedBy: `discord:${approver.id}`, receipt }),
    );
    expect(h.fake.posted()).toHaveLength(1);
    const card = h.fake.world.message(receipt.messageIds[0]!);
    expect(card?.edits).toBe(1);
    expect(card?.components).toEqual([]);
    expect(card?.content).toContain(`Denied** by <@${approver.id}>`);
    expect(card?.content).toContain('shell_exec');

    await h.channel.updateApproval(cardFor({ state: 'expired', receipt }));
    expect(h.fake.world.message(receipt.messageIds[0]!)?.content).toMatch(/Expired/);
  });
});
