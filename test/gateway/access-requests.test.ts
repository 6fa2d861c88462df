import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelAccess } from '../../src/config/access-schema.js';
import type { InboundMessage } from '../../src/core/types.js';
import { NOT_LET_IN } from '../../src/gateway/access.js';
import { ACCESS_PENDING, ACCESS_REQUESTED } from '../../src/gateway/access-requests.js';
import { PeopleDirectory } from '../../src/gateway/people-directory.js';
import { loadPolicyEngine } from '../../src/policy/cedar-engine.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import { RecordingChannel } from '../support/recording-channel.js';

const poll = { timeout: 10_000, interval: 25 };
const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN = 'telegram:1';
const MEMBER = 'telegram:2';
const STRANGER = 'telegram:666';
const ADMIN_ROOM = { platform: 'telegram', channel: '-100' };

let serial = 0;
function fromStranger(text: string, principal = STRANGER): InboundMessage {
  serial += 1;
  return {
    channel: 'telegram',
    eventId: `e-${serial}`,
    device: 'telegram:bot',
    principal,
    sessionKey: `telegram:${principal.slice(9)}`,
    conversation: { platform: 'telegram', channel: principal.slice(9) },
    text,
  };
}

/** Access requests at the gateway: every wrong click or late decision is told why, nothing changes. */
describe('access requests', () => {
  let core: CoreHarness;
  let channel: RecordingChannel;

  const start = async (access: ChannelAccess, approvalTimeoutMs = 60_000) => {
    core = await startCoreHarness({
      groups: { admins: [ADMIN], approvers: [], members: [MEMBER] },
      channelAccess: new Map([['telegram', access]]),
      approvalTimeoutMs,
    });
    channel = new RecordingChannel('telegram');
    core.channels.set('telegram', channel);
  };

  afterEach(async () => {
    await core.stop();
  });

  const requestOf = async () => (await core.journal.listAccessRequests({ limit: 5 }))[0]!;

  it('with access: refuse, a stranger is refused and no request is raised', async () => {
    await start({ mode: 'refuse', group: 'members', adminConversation: ADMIN_ROOM });
    expect(await core.gateway.receive(fromStranger('hi'))).toEqual({
      status: 'refused',
      message: NOT_LET_IN,
    });
    expect(await core.journal.listAccessRequests({ limit: 5 })).toHaveLength(0);
  });

  it('a second message while the request waits is answered once more and raises no second card', async () => {
    await start({ mode: 'request', group: 'members', adminConversation: ADMIN_ROOM });
    expect(await core.gateway.receive(fromStranger('first'))).toEqual({
      status: 'refused',
      message: ACCESS_REQUESTED,
    });
    expect(await core.gateway.receive(fromStranger('second'))).toEqual({
      status: 'refused',
      message: ACCESS_PENDING,
    });
    await expect.poll(() => channel.cards.length, poll).toBe(1);
    expect(channel.cards[0]).toMatchObject({
      conversation: ADMIN_ROOM,
      access: { group: 'members', text: 'first' },
    });
    expect(await core.journal.listAccessRequests({ limit: 5 })).toHaveLength(1);
  });

  it('an expired request is refused as expired, its card edited, and nobody is let in', async () => {
    await start({ mode: 'request', group: 'members', adminConversation: ADMIN_ROOM }, 300);
    await core.gateway.receive(fromStranger('let me in'));
    const request = await requestOf();
    await expect.poll(() => channel.cards.length, poll).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    const late = await core.gateway.decideApproval({
      approvalId: request.id,
      decision: 'approve',
      decider: ADMIN,
    });
    expect(late).toMatchObject({ ok: false, code: 'expired' });
    expect((await requestOf()).state).toBe('expired');
    await expect.poll(() => channel.updates.map((c) => c.state), poll).toEqual(['expired']);
    expect(await core.journal.listMemberships()).toHaveLength(0);
    expect(core.gateway.mayChat(STRANGER)).toBe(false);
  });

  it('a click by a member is refused, and an unknown id is not found', async () => {
    await start({ mode: 'request', group: 'members' });
    await core.gateway.receive(fromStranger('let me in'));
    const request = await requestOf();
    expect(
      await core.gateway.decideApproval({ approvalId: request.id, decision: 'approve', decider: MEMBER }),
    ).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect((await requestOf()).state).toBe('pending');
    expect(
      await core.gateway.decideApproval({ approvalId: 'nope', decision: 'approve', decider: ADMIN }),
    ).toMatchObject({
      ok: false,
      code: 'not_found',
    });
  });

  it('approving twice lets in once and answers the message once', async () => {
    await start({ mode: 'request', group: 'members' });
    core.provider.enqueue({ text: 'welcome' });
    await core.gateway.receive(fromStranger('hello there'));
    const request = await requestOf();
    const [first, second] = await Promise.all([
      core.gateway.decideApproval({ approvalId: request.id, decision: 'approve', decider: ADMIN }),
      core.gateway.decideApproval({ approvalId: request.id, decision: 'approve', decider: ADMIN }),
    ]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    expect([first, second].find((o) => !o.ok)).toMatchObject({ code: 'already_decided' });
    expect(core.gateway.mayChat(STRANGER)).toBe(true);
    await expect.poll(() => channel.texts(), poll).toContain('welcome');
    expect(await core.journal.listRuns({ limit: 5 })).toHaveLength(1);
  });

  it('a direct grant lets in at once and is read back by a fresh policy; bad grants and revokes are refused', async () => {
    await start({ mode: 'request', group: 'members' });
    await core.gateway.accessDesk.grant(ADMIN, STRANGER, 'members');
    expect(core.gateway.mayChat(STRANGER)).toBe(true);
    // A process started afresh on the same journal (a restart) knows the membership.
    const policy = loadPolicyEngine({
      dir: join(ROOT, 'config/policies'),
      schemaPath: join(ROOT, 'config/schema.cedarschema'),
      groups: { admins: [ADMIN] },
    });
    expect(policy.groupsOf(STRANGER)).toEqual([]);
    await new PeopleDirectory(core.journal, policy, pino({ level: 'silent' })).refresh();
    expect(policy.groupsOf(STRANGER)).toEqual(['members']);

    await expect(core.gateway.accessDesk.revoke(ADMIN, 'telegram:999')).rejects.toThrow(/does not exist/);
    await expect(core.gateway.accessDesk.grant(MEMBER, 'telegram:999', 'members')).rejects.toThrow(
      /decide_access/,
    );
    await expect(core.gateway.accessDesk.grant(ADMIN, 'telegram:999', 'no such group!')).rejects.toThrow(
      /group name/,
    );
  });
});
