import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { IdentityLink, Membership } from '../../src/core/people.js';
import { PeopleDirectory } from '../../src/gateway/people-directory.js';
import type { PeopleSnapshot } from '../../src/policy/people.js';

const logger = pino({ level: 'silent' });

describe('the people directory', () => {
  it('a read that fails is tried again, so a revocation does not stay out of force', async () => {
    let memberships: Membership[] = [
      {
        principal: 'telegram:7',
        group: 'members',
        grantedBy: 'console:admin',
        grantedAt: 1,
        requestId: null,
      },
    ];
    let failing = false;
    const journal = {
      listMemberships: async () => {
        if (failing) throw new Error('database is locked');
        return memberships;
      },
      listIdentityLinks: async (): Promise<IdentityLink[]> => [],
    };
    const seen: PeopleSnapshot[] = [];
    const directory = new PeopleDirectory(journal, { setPeople: (people) => seen.push(people) }, logger);
    await directory.refresh();
    expect(seen).toHaveLength(1);

    // The membership is revoked, and the read right after it fails.
    memberships = [];
    failing = true;
    await directory.refresh();
    expect(seen).toHaveLength(1);
    failing = false;
    await expect.poll(() => seen.length, { timeout: 5_000, interval: 50 }).toBe(2);
    expect(seen[1]).not.toEqual(seen[0]);
  });
});
