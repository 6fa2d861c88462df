import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../src/core/errors.js';
import type { GrantScope } from '../../../src/core/types.js';
import type { NewGrant } from '../../../src/journal/store.js';
import {
  askApproval,
  eventTypes,
  HOUR,
  MINUTE,
  type OpenStore,
  rejection,
  startRun,
  T0,
  useStore,
} from './fixtures.js';

function newGrant(over: Partial<NewGrant> = {}): NewGrant {
  return {
    id: '01GRANT0000000000000000001',
    tool: 'shell_exec',
    pattern: { kind: 'program', program: 'echo' },
    scope: { kind: 'requester', principal: 'discord:alice' },
    createdBy: 'discord:boss',
    expiresAt: null,
    approvalId: null,
    now: T0,
    ...over,
  };
}

/** Grants ("Always allow"): stored with their approval, listed while active, revoked once. */
export function grantsContract(open: OpenStore): void {
  describe('grants', () => {
    const store = useStore(open);

    it('a grant is stored as given, listed while active, and its making is a journal event', async () => {
      const created = await store().createGrant(newGrant());
      expect(created).toEqual({
        id: '01GRANT0000000000000000001',
        tool: 'shell_exec',
        pattern: { kind: 'program', program: 'echo' },
        scope: { kind: 'requester', principal: 'discord:alice' },
        createdBy: 'discord:boss',
        createdAt: T0,
        expiresAt: null,
        approvalId: null,
        revokedAt: null,
        revokedBy: null,
      });
      expect(await store().getGrant(created.id)).toEqual(created);
      expect(await store().listGrants({ now: T0 + HOUR })).toEqual([created]);
      expect(await eventTypes(store())).toContain('grant.created');
    });

    it('each scope round-trips: requester, conversation, everyone', async () => {
      const conversation = { platform: 'slack', workspace: 'T1', channel: 'C1', thread: '171.2' };
      await store().createGrant(newGrant({ id: 'G1', scope: { kind: 'everyone' }, now: T0 }));
      await store().createGrant(
        newGrant({ id: 'G2', scope: { kind: 'conversation', conversation }, now: T0 + 1 }),
      );
      await store().createGrant(
        newGrant({ id: 'G3', pattern: { kind: 'exact', argsHash: 'abc' }, tool: 'http_fetch', now: T0 + 2 }),
      );
      const listed = await store().listGrants({ now: T0 + 3 });
      expect(listed.map((g) => g.id)).toEqual(['G3', 'G2', 'G1']);
      expect(listed[1]?.scope).toEqual({ kind: 'conversation', conversation });
      expect(listed[2]?.scope).toEqual({ kind: 'everyone' });
      expect(listed[0]?.pattern).toEqual({ kind: 'exact', argsHash: 'abc' });
    });

    it('an expired grant is no longer listed as active, but is kept', async () => {
      await store().createGrant(newGrant({ id: 'G1', expiresAt: T0 + 10 * MINUTE }));
      expect((await store().listGrants({ now: T0 + 10 * MINUTE - 1 })).map((g) => g.id)).toEqual(['G1']);
      expect(await store().listGrants({ now: T0 + 10 * MINUTE })).toEqual([]);
      expect(
        (await store().listGrants({ now: T0 + 10 * MINUTE, includeInactive: true })).map((g) => g.id),
      ).toEqual(['G1']);
    });

    it('revoking ends a grant once; a second revoke and an unknown id are refused', async () => {
      await store().createGrant(newGrant({ id: 'G1' }));
      const revoked = await store().revokeGrant('G1', 'discord:boss', T0 + 5);
      expect(revoked).toMatchObject({ id: 'G1', revokedAt: T0 + 5, revokedBy: 'discord:boss' });
      expect(await store().listGrants({ now: T0 + 6 })).toEqual([]);
      const again = await rejection(store().revokeGrant('G1', 'discord:other', T0 + 7));
      expect(again).toBeInstanceOf(ConflictError);
      expect(again.message).toContain('already revoked by discord:boss');
      expect(await rejection(store().revokeGrant('nope', 'discord:boss', T0))).toBeInstanceOf(NotFoundError);
      expect((await store().getGrant('G1'))?.revokedBy).toBe('discord:boss');
      expect(await eventTypes(store())).toContain('grant.revoked');
    });

    /** Decides approval ap-1 (asked first) by discord:boss with "Always allow" grant `id` attached. */
    const decideWithGrant = async (
      decision: 'approved' | 'denied',
      id: string,
      scope: GrantScope = { kind: 'everyone' },
    ) =>
      store().decideApproval({
        approvalId: 'ap-1',
        decision,
        decider: 'discord:boss',
        scope: 'once',
        now: T0 + 2,
        grant: {
          id,
          tool: 'shell_exec',
          pattern: { kind: 'program', program: 'ls' },
          scope,
          expiresAt: null,
        },
      });
    const askFirst = async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0 + 1, expiresAt: T0 + 10 * MINUTE });
      return run;
    };

    it('"Always allow" stores the grant with the approval in one decision, linked both ways', async () => {
      const run = await askFirst();
      const decided = await decideWithGrant('approved', 'G1', {
        kind: 'requester',
        principal: run.principal,
      });
      expect(decided).toMatchObject({ state: 'approved', grantId: 'G1' });
      expect((await store().getApproval('ap-1'))?.grantId).toBe('G1');
      expect(await store().getGrant('G1')).toMatchObject({
        approvalId: 'ap-1',
        createdBy: 'discord:boss',
        createdAt: T0 + 2,
        scope: { kind: 'requester', principal: run.principal },
      });
    });

    it('a denial never stores the grant it came with', async () => {
      await askFirst();
      const decided = await decideWithGrant('denied', 'G1');
      expect(decided.grantId).toBeNull();
      expect(await store().getGrant('G1')).toBeNull();
    });

    it('a double "Always allow" on one approval stores one grant', async () => {
      await askFirst();
      await decideWithGrant('approved', 'G1');
      expect(await rejection(decideWithGrant('approved', 'G2'))).toBeInstanceOf(ConflictError);
      expect((await store().listGrants({ now: T0 + 3 })).map((g) => g.id)).toEqual(['G1']);
    });
  });
}
