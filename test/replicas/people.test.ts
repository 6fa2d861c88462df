import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoLastUserMessage, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { type Cluster, eventually, startCluster } from './cluster.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from './database.js';

noteLeftOut('the replica people suite (test/replicas/people.test.ts)');

/** Only alice is a member by config: `console:zed` is a stranger until the journal lets him in. */
const CONFIG = `
groups:
  admins: ["console:admin"]
  approvers: []
  members: ["console:alice"]
`;

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)(
  'memberships and linked identities on replicas (needs SWITCHBOARD_TEST_DATABASE_URL)',
  () => {
    const schemas = new TestSchemas(TEST_DATABASE_URL ?? 'postgres://unset');
    let fake: FakeOpenAI;
    let cluster: Cluster;

    beforeAll(async () => {
      fake = await startFakeOpenAI();
      fake.onRequest = echoLastUserMessage;
      cluster = await startCluster({ size: 2, fake, schemas, config: CONFIG });
    }, 90_000);

    afterAll(async () => {
      await cluster?.stop();
      await fake?.close();
      await schemas.dropAll();
    }, 60_000);

    /** The status of a message from `principal` through `via` (202 accepted, 403 not let in). */
    const speak = async (via: DaemonProcess, principal: string, key: string) =>
      (await via.api('POST', '/v1/messages', { session_key: key, text: 'hello', principal })).status;

    it('a membership granted on one replica lets the person in on every replica at once, and after a restart', async () => {
      const [first, second] = cluster.replicas as [DaemonProcess, DaemonProcess];
      expect(await speak(second, 'console:zed', 'zed-1')).toBe(403);
      const granted = await first.api('POST', '/v1/access/memberships', {
        who: 'console:zed',
        group: 'members',
      });
      expect(granted.status).toBe(201);
      expect(await speak(first, 'console:zed', 'zed-2'), 'no reload on the granting replica').toBe(202);
      await eventually('the other replica lets zed in', async () =>
        (await speak(second, 'console:zed', `zed-3-${Date.now()}`)) === 202 ? true : undefined,
      );

      const restarted = await cluster.add();
      expect(
        await speak(restarted, 'console:zed', 'zed-4'),
        'a fresh replica reads it from the journal',
      ).toBe(202);
      const listed = await restarted.api<{ memberships: { principal: string; group: string }[] }>(
        'GET',
        '/v1/access',
      );
      expect(listed.body.memberships).toContainEqual(
        expect.objectContaining({ principal: 'console:zed', group: 'members' }),
      );

      const revoked = await second.api(
        'DELETE',
        `/v1/access/memberships/${encodeURIComponent('console:zed')}`,
      );
      expect(revoked.status).toBe(200);
      expect(await speak(second, 'console:zed', 'zed-5')).toBe(403);
      await eventually('every replica refuses zed again', async () =>
        (await speak(first, 'console:zed', `zed-6-${Date.now()}`)) === 403 &&
        (await speak(restarted, 'console:zed', `zed-7-${Date.now()}`)) === 403
          ? true
          : undefined,
      );
    }, 90_000);

    it('an identity linked on one replica speaks as its person on another', async () => {
      const [first, second] = cluster.replicas as [DaemonProcess, DaemonProcess];
      expect(await speak(second, 'console:yan', 'yan-1')).toBe(403);
      const linked = await first.api('POST', '/v1/links', {
        identity: 'console:yan',
        person: 'console:alice',
      });
      expect(linked.status).toBe(201);
      await eventually('the other replica knows yan is alice', async () =>
        (await speak(second, 'console:yan', `yan-2-${Date.now()}`)) === 202 ? true : undefined,
      );
      const [run] = await cluster.query<{ principal: string }>(
        "SELECT principal FROM runs WHERE text = 'hello' ORDER BY created_at DESC, id DESC LIMIT 1",
      );
      expect(run?.principal, 'runs and usage follow the person').toBe('console:alice');
    }, 60_000);
  },
);
