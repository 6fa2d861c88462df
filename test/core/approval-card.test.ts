import { afterEach, describe, expect, it } from 'vitest';
import { ARGS_PREVIEW_CHARS, approvalCard, previewArgs } from '../../src/core/approval-card.js';
import type { Approval } from '../../src/core/types.js';
import { ARGS_PREVIEW_CHARS as EXPORTED_CAP } from '../../src/index.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import { RecordingChannel } from '../support/recording-channel.js';

const approval: Approval = {
  id: 'ap-1',
  runId: 'run-1',
  sessionId: 's-1',
  state: 'pending',
  toolCallId: 'call-1',
  tool: 'shell_exec',
  args: { command: 'x'.repeat(2000) },
  argsHash: 'h',
  requester: 'discord:1',
  conversation: { platform: 'discord', channel: 'c1' },
  createdAt: 0,
  expiresAt: 1000,
  decidedBy: null,
  decidedAt: null,
  scope: 'once',
  reason: null,
  cardReceipt: null,
  grantId: null,
};

describe('the approval card is decided in the core', () => {
  it('shows short arguments whole, as pretty JSON', () => {
    expect(previewArgs({ command: 'ls' })).toBe('{\n  "command": "ls"\n}');
  });

  it('cuts long arguments at the cap with a visible marker of what is left out', () => {
    const full = JSON.stringify(approval.args, null, 2);
    const preview = approvalCard(approval, true).argsPreview;
    expect(preview).toBe(
      `${full.slice(0, ARGS_PREVIEW_CHARS)}… (${full.length - ARGS_PREVIEW_CHARS} more characters)`,
    );
    expect(EXPORTED_CAP).toBe(ARGS_PREVIEW_CHARS);
  });

  it("takes a platform's smaller room for the preview, and never a larger one", () => {
    const full = JSON.stringify(approval.args, null, 2);
    expect(approvalCard(approval, true, 100).argsPreview).toBe(
      `${full.slice(0, 100)}… (${full.length - 100} more characters)`,
    );
    expect(approvalCard(approval, true, 5000).argsPreview).toBe(approvalCard(approval, true).argsPreview);
  });

  it('carries the receipt of the posted card, so an update edits it in place', () => {
    expect(approvalCard(approval, false).receipt).toBeUndefined();
    const posted = approvalCard({ ...approval, cardReceipt: { messageIds: ['m1'] } }, false);
    expect(posted).toMatchObject({ receipt: { messageIds: ['m1'] }, allowSessionScope: false });
  });
});

/** A channel whose cards have room for a 40-character preview. */
class NarrowChannel extends RecordingChannel {
  readonly approvalPreviewChars = 40;
}

describe('the outbox builds each card for its channel', () => {
  let core: CoreHarness | undefined;
  afterEach(async () => {
    await core?.stop();
    core = undefined;
  });

  it("cuts the preview to the channel's room, with the marker", async () => {
    core = await startCoreHarness({ groups: { admins: [], approvers: [], members: ['telegram:1'] } });
    const channel = new NarrowChannel('telegram');
    core.channels.set('telegram', channel);
    core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: { note: 'y'.repeat(500) } }] });
    await core.gateway.receive({
      channel: 'telegram',
      eventId: 'u-1',
      device: 'telegram:bot',
      principal: 'telegram:1',
      sessionKey: 'telegram:-100',
      conversation: { platform: 'telegram', channel: '-100' },
      text: 'please act',
    });
    await expect.poll(() => channel.cards.length, { timeout: 10_000, interval: 25 }).toBe(1);
    const full = JSON.stringify({ note: 'y'.repeat(500) }, null, 2);
    expect(channel.cards[0]?.argsPreview).toBe(`${full.slice(0, 40)}… (${full.length - 40} more characters)`);
  });
});
