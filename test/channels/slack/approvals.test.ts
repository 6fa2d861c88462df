import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approval } from '../../../src/core/types.js';
import type { ApprovalCard } from '../../../src/index.js';
import { type SlackHarness, startSlack } from './harness.js';

const card: ApprovalCard = {
  approvalId: 'ap_01',
  runId: 'run_01',
  conversation: { platform: 'slack', workspace: 'T0FAKE', channel: 'C0GENERAL', thread: '1712345678.000100' },
  requester: 'slack:T0FAKE:U0ANN',
  tool: 'shell_exec',
  argsPreview: '{"command":"ls -la <dir>"}',
  expiresAt: Date.UTC(2030, 0, 1, 12, 0, 0),
  state: 'pending',
  decidedBy: null,
  allowSessionScope: true,
};

function decided(id: string): Approval {
  return {
    id,
    runId: card.runId,
    sessionId: 's1',
    state: 'approved',
    toolCallId: 'call_1',
    tool: card.tool,
    args: { command: 'ls -la <dir>' },
    argsHash: 'h',
    requester: card.requester,
    conversation: card.conversation,
    createdAt: 0,
    expiresAt: card.expiresAt,
    decidedBy: 'slack:T0FAKE:U0BOB',
    decidedAt: 1,
    scope: 'session',
    reason: null,
    cardReceipt: null,
    grantId: null,
  };
}

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string; text?: { text: string }; style?: string }[];
}

function click(h: SlackHarness, user: string, actionId: string, value: string, ts: string) {
  return h.slack.interaction({
    type: 'block_actions',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: user, username: user, team_id: 'T0FAKE' },
    api_app_id: 'A0FAKE',
    container: { type: 'message', message_ts: ts, channel_id: 'C0GENERAL', is_ephemeral: false },
    channel: { id: 'C0GENERAL', name: 'general' },
    message: { type: 'message', ts, thread_ts: '1712345678.000100', text: 'Approval needed' },
    response_url: h.fake.responseUrl(),
    trigger_id: 't1',
    actions: [
      { type: 'button', action_id: actionId, block_id: 'sb_approval', value, action_ts: '1712345800.1' },
    ],
  });
}

describe('Slack approval cards', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlack();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('posts a Block Kit card in the thread with who asked, the tool, args, expiry and one button per verb', async () => {
    const receipt = await h.channel.presentApproval(card);
    const call = h.fake.callsOf('chat.postMessage')[0];
    expect(call?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: '1712345678.000100' });
    expect(receipt.messageIds).toEqual([h.fake.botMessages()[0]?.ts]);
    const blocks = call?.args.blocks as Block[];
    const text = blocks.map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '').join('\n');
    expect(text).toContain('<@U0ANN> asked to run `shell_exec`');
    expect(text).toContain('ls -la &lt;dir&gt;');
    expect(JSON.stringify(blocks)).toContain('<!date^1893499200^');
    const actions = blocks.find((b) => b.type === 'actions');
    expect(actions?.elements?.map((e) => [e.action_id, e.value, e.text?.text])).toEqual([
      ['sb_approve', 'ap_01', 'Approve'],
      ['sb_approve_session', 'ap_01', 'Approve for this session'],
      ['sb_deny', 'ap_01', 'Deny'],
    ]);
  });

  it('keeps backtick runs in the arguments from closing the code block', async () => {
    await h.channel.presentApproval({
      ...card,
      argsPreview: `{"command":"${'`'.repeat(5)}x${'`'.repeat(4)}"}`,
    });
    const blocks = h.fake.callsOf('chat.postMessage')[0]?.args.blocks as Block[];
    const args = blocks.find((b) => b.text?.text.startsWith('*Arguments*'))?.text?.text ?? '';
    expect(args.match(/```/g)).toHaveLength(2);
    expect(args.replaceAll('\u200b', '')).toContain(`${'`'.repeat(5)}x${'`'.repeat(4)}`);
  });

  it('offers no session button when the policy does not allow it', async () => {
    await h.channel.presentApproval({ ...card, allowSessionScope: false });
    const blocks = h.fake.callsOf('chat.postMessage')[0]?.args.blocks as Block[];
    expect(blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id)).toEqual([
      'sb_approve',
      'sb_deny',
    ]);
  });

  it('acks a click at once and decides the approval for the person who clicked', async () => {
    h.gateway.decide = (request) => ({
      ok: true,
      message: 'Approved.',
      approval: decided(request.approvalId),
    });
    const { messageIds } = await h.channel.presentApproval(card);
    const response = await click(h, 'U0BOB', 'sb_approve_session', 'ap_01', messageIds[0] ?? '');
    expect(response.status).toBe(200);
    await h.channel.settled();
    expect(h.gateway.decisions).toEqual([
      { approvalId: 'ap_01', decision: 'approve', scope: 'session', decider: 'slack:T0FAKE:U0BOB' },
    ]);
    expect(h.fake.callsOf('chat.postEphemeral')).toHaveLength(0);
  });

  it('tells a refused clicker why, ephemerally, and leaves the card unchanged', async () => {
    h.gateway.decide = () => ({ ok: false, code: 'forbidden', message: 'You may not approve shell_exec.' });
    const { messageIds } = await h.channel.presentApproval(card);
    await click(h, 'U0EVE', 'sb_deny', 'ap_01', messageIds[0] ?? '');
    await h.channel.settled();
    expect(h.gateway.decisions[0]).toMatchObject({ decision: 'deny', decider: 'slack:T0FAKE:U0EVE' });
    expect(h.fake.callsOf('chat.postEphemeral')[0]?.args).toMatchObject({
      channel: 'C0GENERAL',
      user: 'U0EVE',
      text: 'You may not approve shell_exec.',
    });
    expect(h.fake.callsOf('chat.update')).toHaveLength(0);
    expect(h.fake.botMessages()[0]?.edits).toBe(0);
  });

  it('updates the card in place with chat.update: buttons gone, outcome and decider shown', async () => {
    const receipt = await h.channel.presentApproval(card);
    await h.channel.updateApproval({ ...card, state: 'approved', decidedBy: 'slack:T0FAKE:U0BOB', receipt });
    const update = h.fake.callsOf('chat.update')[0];
    expect(update?.args).toMatchObject({ channel: 'C0GENERAL', ts: receipt.messageIds[0] });
    const blocks = update?.args.blocks as Block[];
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('*Approved* by <@U0BOB>');
    expect(h.fake.botMessages()[0]?.edits).toBe(1);
  });

  it('shows expiry and cancellation on the card too', async () => {
    const receipt = await h.channel.presentApproval(card);
    await h.channel.updateApproval({ ...card, state: 'expired', receipt });
    expect(JSON.stringify(h.fake.callsOf('chat.update')[0]?.args.blocks)).toContain('Expired');
    await h.channel.updateApproval({ ...card, state: 'cancelled', receipt });
    expect(JSON.stringify(h.fake.callsOf('chat.update')[1]?.args.blocks)).toContain('Cancelled');
  });
});
