import { afterEach, describe, expect, it } from 'vitest';
import { encodeCallbackData } from '../../../channels/telegram/approval-card.js';
import { CALLBACK_DATA_LIMIT } from '../../../channels/telegram/config.js';
import type { Approval } from '../../../src/core/types.js';
import type { ApprovalCard, DecisionOutcome } from '../../../src/index.js';
import { ChannelError } from '../../../src/index.js';
import { FAKE_GROUP } from '../../fakes/telegram/updates.js';
import { ALICE, BOB, type Harness, startTelegram } from './harness.js';

const APPROVAL_ID = '01HZX3K8Q6W2V9N4M7P5R1T0YB';

function card(overrides: Partial<ApprovalCard> = {}): ApprovalCard {
  return {
    approvalId: APPROVAL_ID,
    runId: '01HZX3K8Q6W2V9N4M7P5R1T0YC',
    conversation: { platform: 'telegram', channel: String(FAKE_GROUP.id) },
    requester: 'telegram:1001',
    tool: 'shell_exec',
    argsPreview: '{"command":"rm -rf <build>"}',
    expiresAt: Date.UTC(2030, 0, 2, 3, 4),
    state: 'pending',
    decidedBy: null,
    allowSessionScope: true,
    ...overrides,
  };
}

const approval: Approval = {
  id: APPROVAL_ID,
  runId: '01HZX3K8Q6W2V9N4M7P5R1T0YC',
  sessionId: 's1',
  state: 'approved',
  toolCallId: 'call_1',
  tool: 'shell_exec',
  args: { command: 'ls' },
  argsHash: 'hash',
  requester: 'telegram:1001',
  conversation: { platform: 'telegram', channel: String(FAKE_GROUP.id) },
  createdAt: 0,
  expiresAt: 1,
  decidedBy: 'telegram:1001',
  decidedAt: 1,
  scope: 'once',
  reason: null,
  cardReceipt: null,
  grantId: null,
};
const approved: DecisionOutcome = { ok: true, message: 'Approved.', approval };

describe('telegram approvals', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('posts a card with who asked, the tool, the arguments, the expiry and the buttons', async () => {
    h = await startTelegram();
    const receipt = await h.channel.presentApproval(card());
    const [message] = h.fake.messages;
    expect(receipt).toEqual({ messageIds: [String(message?.message_id)] });
    expect(message?.text).toContain('telegram:1001 asked to run shell_exec');
    expect(message?.text).toContain('{"command":"rm -rf <build>"}');
    expect(message?.text).toContain('Expires: 2030-01-02 03:04 UTC');
    expect(message?.buttons).toEqual([
      [
        { text: '✅ Approve', callback_data: `sb:a:${APPROVAL_ID}` },
        { text: '❌ Deny', callback_data: `sb:d:${APPROVAL_ID}` },
      ],
      [{ text: '✅ Approve for this session', callback_data: `sb:s:${APPROVAL_ID}` }],
    ]);
  });

  it('keeps callback_data within 64 bytes', () => {
    for (const verb of ['approve', 'deny', 'approve_session'] as const) {
      expect(Buffer.byteLength(encodeCallbackData(verb, APPROVAL_ID))).toBeLessThanOrEqual(
        CALLBACK_DATA_LIMIT,
      );
    }
    expect(() => encodeCallbackData('approve', 'x'.repeat(60))).toThrow(ChannelError);
  });

  it('answers a click from an unlisted user with a refusal alert and changes nothing', async () => {
    h = await startTelegram();
    h.gateway.decide = (request) =>
      request.decider === 'telegram:1002'
        ? { ok: false, code: 'forbidden', message: 'You are not allowed to decide this approval.' }
        : approved;
    await h.channel.presentApproval(card());
    const message = h.fake.messages[0];
    if (!message) throw new Error('no card');
    const before = structuredClone(message);
    await h.deliver(h.fake.makeCallback({ from: BOB, message, data: `sb:a:${APPROVAL_ID}` }));
    expect(h.fake.answers).toEqual([
      expect.objectContaining({ text: 'You are not allowed to decide this approval.', show_alert: true }),
    ]);
    expect(h.gateway.decisions).toEqual([
      { approvalId: APPROVAL_ID, decision: 'approve', scope: 'once', decider: 'telegram:1002' },
    ]);
    expect(h.fake.messages).toEqual([before]);
    expect(h.fake.callsTo('editMessageText')).toEqual([]);
  });

  it('decides for the person who clicked and answers the callback', async () => {
    h = await startTelegram();
    h.gateway.decide = () => approved;
    await h.channel.presentApproval(card());
    const message = h.fake.messages[0];
    if (!message) throw new Error('no card');
    await h.deliver(h.fake.makeCallback({ from: ALICE, message, data: `sb:s:${APPROVAL_ID}` }));
    await h.deliver(h.fake.makeCallback({ from: ALICE, message, data: `sb:d:${APPROVAL_ID}` }));
    expect(h.gateway.decisions).toEqual([
      { approvalId: APPROVAL_ID, decision: 'approve', scope: 'session', decider: 'telegram:1001' },
      { approvalId: APPROVAL_ID, decision: 'deny', decider: 'telegram:1001' },
    ]);
    expect(h.fake.answers.map((a) => [a.text, a.show_alert])).toEqual([
      ['Approved.', undefined],
      ['Approved.', undefined],
    ]);
  });

  it('answers a click on a button that is not ours without deciding anything', async () => {
    h = await startTelegram();
    await h.channel.presentApproval(card());
    const message = h.fake.messages[0];
    if (!message) throw new Error('no card');
    await h.deliver(h.fake.makeCallback({ from: ALICE, message, data: 'something-else' }));
    expect(h.fake.answers).toHaveLength(1);
    expect(h.gateway.decisions).toEqual([]);
  });

  it('edits the card on update: keyboard gone, outcome and decider shown', async () => {
    h = await startTelegram();
    const receipt = await h.channel.presentApproval(card());
    const decided = card({ state: 'approved', decidedBy: 'telegram:1002', receipt });
    await h.channel.updateApproval(decided);
    await h.channel.updateApproval(decided); // an outbox retry of the same edit is harmless
    const [message] = h.fake.messages;
    expect(message?.buttons).toEqual([]);
    expect(message?.edits).toBe(1);
    expect(message?.text).toContain('✅ Approved by telegram:1002');
    expect(message?.text).not.toContain('Waiting for a decision');
  });

  it('refuses to edit a card that was never delivered', async () => {
    h = await startTelegram();
    await expect(h.channel.updateApproval(card({ state: 'expired' }))).rejects.toMatchObject({
      kind: 'permanent',
    });
  });
});
