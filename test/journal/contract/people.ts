import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/core/errors.js';
import type { JournalStore } from '../../../src/journal/store.js';
import { MINUTE, message, type OpenStore, rejection, T0, useStore } from './fixtures.js';

const STRANGER = 'discord:stranger';
const ADMIN_ROOM = { platform: 'discord', workspace: 'g1', channel: 'admins' };

/** A stranger's message raising request `id`, with one card to the admin room. */
function raise(store: JournalStore, id: string, eventId: string, now = T0) {
  const msg = message({
    principal: STRANGER,
    eventId,
    sessionKey: 'discord:dm:stranger',
    text: `from ${eventId}`,
  });
  return store.raiseAccessRequest({
    claim: { channel: msg.channel, eventId, now },
    request: {
      id,
      principal: STRANGER,
      channel: 'discord',
      group: 'members',
      message: msg,
      expiresAt: now + 10 * MINUTE,
    },
    cards: [
      {
        channel: 'discord',
        conversation: ADMIN_ROOM,
        kind: 'approval_card',
        payload: { approvalId: id, allowSessionScope: false, subject: 'access' },
      },
    ],
    now,
  });
}

/** Access requests, memberships and linked identities (DESIGN.md section 9). */
export function peopleContract(open: OpenStore): void {
  describe('people', () => {
    const store = useStore(open);

    it('a stranger raises one request per person; the same event again is a duplicate', async () => {
      const first = await raise(store(), 'ar-1', 'e1');
      expect(first).toMatchObject({
        duplicate: false,
        created: true,
        request: { id: 'ar-1', state: 'pending' },
      });
      expect(await raise(store(), 'ar-x', 'e1')).toEqual({ duplicate: true });
      const second = await raise(store(), 'ar-2', 'e2', T0 + 1);
      expect(second).toMatchObject({ duplicate: false, created: false, request: { id: 'ar-1' } });
      const cards = (await store().listOutbox({ limit: 10 })).filter((i) => i.kind === 'approval_card');
      expect(cards).toHaveLength(1);
      expect(cards[0]?.conversation).toEqual(ADMIN_ROOM);
    });

    it('approve grants the membership and accepts the message once; a second decision is refused', async () => {
      await raise(store(), 'ar-1', 'e1');
      const decided = await store().decideAccessRequest({
        requestId: 'ar-1',
        decision: 'approved',
        decider: 'discord:admin',
        now: T0 + MINUTE,
      });
      expect(decided.request).toMatchObject({
        state: 'approved',
        decidedBy: 'discord:admin',
        runId: decided.runId,
      });
      const run = await store().getRun(decided.runId!);
      expect(run).toMatchObject({ principal: STRANGER, text: 'from e1', state: 'accepted' });
      expect(await store().listMemberships()).toEqual([
        {
          principal: STRANGER,
          group: 'members',
          grantedBy: 'discord:admin',
          grantedAt: T0 + MINUTE,
          requestId: 'ar-1',
        },
      ]);
      const again = await rejection(
        store().decideAccessRequest({
          requestId: 'ar-1',
          decision: 'denied',
          decider: 'discord:admin',
          now: T0 + 2 * MINUTE,
        }),
      );
      expect(again).toBeInstanceOf(ConflictError);
      expect(again.state).toBe('approved');
      expect(await store().listRuns({ limit: 10 })).toHaveLength(1);
      const updates = (await store().listOutbox({ limit: 10 })).filter((i) => i.kind === 'approval_update');
      expect(updates).toHaveLength(1);
      expect(updates[0]?.conversation).toEqual(ADMIN_ROOM);
    });

    it('an expired request is refused as expired and marked so; revoking removes the membership', async () => {
      await raise(store(), 'ar-1', 'e1');
      const late = await rejection(
        store().decideAccessRequest({
          requestId: 'ar-1',
          decision: 'approved',
          decider: 'discord:admin',
          now: T0 + 11 * MINUTE,
        }),
      );
      expect(late.code).toBe('expired');
      expect((await store().getAccessRequest('ar-1'))?.state).toBe('expired');
      expect(await store().listMemberships()).toEqual([]);

      await store().grantMembership({ principal: STRANGER, group: 'ops', by: 'discord:admin', now: T0 });
      expect(
        await store().revokeMemberships({ principal: STRANGER, by: 'discord:admin', now: T0 + 1 }),
      ).toHaveLength(1);
      expect(await store().listMemberships()).toEqual([]);
      const types = (await store().recentEvents(20)).map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining(['access.requested', 'access.expired', 'access.granted', 'access.revoked']),
      );
    });

    it('linking merges people: the identities of the linked person follow it', async () => {
      await store().linkIdentity({ principal: 'slack:T1:U1', person: 'telegram:1', by: 'admin', now: T0 });
      await store().linkIdentity({ principal: 'telegram:1', person: 'discord:1', by: 'admin', now: T0 + 1 });
      const links = await store().listIdentityLinks();
      expect(Object.fromEntries(links.map((l) => [l.principal, l.person]))).toEqual({
        'slack:T1:U1': 'discord:1',
        'telegram:1': 'discord:1',
      });
      expect(
        await rejection(
          store().linkIdentity({ principal: 'slack:T1:U1', person: 'telegram:1', by: 'admin', now: T0 + 2 }),
        ),
      ).toBeInstanceOf(ConflictError);
      expect(
        await store().unlinkIdentity({ principal: 'slack:T1:U1', by: 'admin', now: T0 + 3 }),
      ).toMatchObject({ person: 'discord:1' });
      expect(await store().unlinkIdentity({ principal: 'slack:T1:U1', by: 'admin', now: T0 + 4 })).toBeNull();
    });

    it("a person's link codes from long ago go when they get a new one; recent ones still count", async () => {
      await store().createLinkCode({
        codeHash: 'old',
        principal: 'discord:1',
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      await store().createLinkCode({
        codeHash: 'other',
        principal: 'discord:2',
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      const later = T0 + 2 * 86_400_000;
      await store().createLinkCode({
        codeHash: 'new',
        principal: 'discord:1',
        expiresAt: later + MINUTE,
        now: later,
      });
      expect(await store().countLinkCodes('discord:1', 0)).toBe(1);
      expect(await store().countLinkCodes('discord:2', 0)).toBe(1);
      expect(await store().redeemLinkCode({ codeHash: 'old', principal: 'telegram:1', now: later })).toEqual({
        ok: false,
        reason: 'unknown',
      });
    });

    it('link failures are counted per person within a window, and old ones are let go', async () => {
      await store().recordLinkFailure('telegram:1', T0);
      await store().recordLinkFailure('telegram:1', T0 + 1000);
      await store().recordLinkFailure('slack:T1:U1', T0 + 1000);
      expect(await store().countLinkFailures('telegram:1', T0)).toBe(2);
      expect(await store().countLinkFailures('telegram:1', T0 + 1)).toBe(1);
      expect(await store().countLinkFailures('discord:9', T0)).toBe(0);
      // A failure a day later prunes the person's older ones.
      await store().recordLinkFailure('telegram:1', T0 + 2 * 86_400_000);
      expect(await store().countLinkFailures('telegram:1', 0)).toBe(1);
      expect(await store().countLinkFailures('slack:T1:U1', 0)).toBe(1);
    });

    it('a link code works once and only before it expires', async () => {
      await store().createLinkCode({
        codeHash: 'h1',
        principal: 'discord:1',
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      expect(await store().countLinkCodes('discord:1', T0)).toBe(1);
      expect(await store().redeemLinkCode({ codeHash: 'nope', principal: 'telegram:1', now: T0 })).toEqual({
        ok: false,
        reason: 'unknown',
      });
      expect(await store().redeemLinkCode({ codeHash: 'h1', principal: 'discord:1', now: T0 })).toEqual({
        ok: false,
        reason: 'same_person',
      });
      expect(
        await store().redeemLinkCode({ codeHash: 'h1', principal: 'telegram:1', now: T0 + 1 }),
      ).toMatchObject({
        ok: true,
        link: { principal: 'telegram:1', person: 'discord:1' },
      });
      expect(await store().redeemLinkCode({ codeHash: 'h1', principal: 'slack:T1:U1', now: T0 + 2 })).toEqual(
        { ok: false, reason: 'used' },
      );
      await store().createLinkCode({
        codeHash: 'h2',
        principal: 'discord:1',
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      expect(
        await store().redeemLinkCode({ codeHash: 'h2', principal: 'slack:T1:U1', now: T0 + MINUTE }),
      ).toEqual({ ok: false, reason: 'expired' });
      expect(await store().listIdentityLinks()).toHaveLength(1);
    });
  });
}
