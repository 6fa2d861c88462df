/**
 * Grants over HTTP (DESIGN.md section 9, "People and grants"): "Always allow" through
 * `POST /v1/approvals/:id/decision` with `scope: "always"`, listed at `GET /v1/grants`, revoked
 * with `DELETE /v1/grants/:id`; bad input is refused with a clear error and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASK, type HttpHarness, startHttpHarness, waitFor } from '../support/http-harness.js';

const USERS = [
  { name: 'alice', token: 'alice-console-token-grants-0123' },
  { name: 'bob', token: 'bob-console-token-grants-012345' },
];
const ADMIN_TOKEN = 'admin-token-http-grants-0123456789';
const GROUPS = { admins: ['console:admin'], approvers: ['console:bob'], members: ['console:*'] };

type Json = Record<string, unknown>;
let serial = 0;

describe('grants over HTTP', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHttpHarness({ groups: GROUPS, users: USERS, adminToken: ADMIN_TOKEN });
  });
  afterAll(async () => h?.stop());

  const as = (who: string) => async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const res = await h.request(h.tokens[who]!, method, url, body);
    return { status: res.status, body: (res.body ?? {}) as Json, text: res.text };
  };
  const admin = () => as('admin');

  /** alice asks in `key` for a message that calls `test_action`; resolves with the run and its state. */
  async function ask(key: string): Promise<{ runId: string; approvalId: string | undefined }> {
    const sent = await as('alice')('POST', '/v1/messages', { session_key: key, text: `${ASK} ${++serial}` });
    expect(sent.status, sent.text).toBe(202);
    const runId = String(sent.body.run_id);
    return waitFor(`run ${runId} to wait or finish`, async () => {
      const [approval] = await h.journal.listApprovals({ runId, state: 'pending', limit: 1 });
      if (approval) return { runId, approvalId: approval.id };
      const run = await h.journal.getRun(runId);
      return run?.state === 'succeeded' ? { runId, approvalId: undefined } : undefined;
    });
  }

  const errorOf = (res: { body: Json }) => res.body.error as Json | undefined;

  it('Always allow for the conversation lets the next identical call there run unasked, until revoked', async () => {
    const key = `grants-http-${Date.now()}`;
    const first = await ask(key);
    expect(first.approvalId).toBeDefined();
    const decided = await admin()('POST', `/v1/approvals/${first.approvalId}/decision`, {
      decision: 'approve',
      scope: 'always',
      grant: { for: 'conversation', expires_in: '1h' },
    });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.body.state).toBe('approved');
    const grantId = String(decided.body.grant_id);

    const listed = await admin()('GET', '/v1/grants');
    expect(listed.status).toBe(200);
    const [grant] = listed.body.grants as Json[];
    expect(grant).toMatchObject({
      id: grantId,
      tool: 'test_action',
      pattern: { kind: 'exact' },
      scope: { kind: 'conversation', conversation: { platform: 'console', channel: key } },
      created_by: 'console:admin',
      approval_id: first.approvalId,
      revoked_at: null,
    });
    expect(Number(grant!.expires_at) - Date.now()).toBeGreaterThan(59 * 60_000);

    const second = await ask(key);
    expect(second.approvalId, 'the covered call asks nobody').toBeUndefined();
    // Elsewhere the grant covers nothing.
    expect((await ask(`${key}-elsewhere`)).approvalId).toBeDefined();

    const revoked = await admin()('DELETE', `/v1/grants/${grantId}`);
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.revoked_by).toBe('console:admin');
    expect((await admin()('GET', '/v1/grants')).body.grants).toEqual([]);
    expect(((await admin()('GET', '/v1/grants?all=true')).body.grants as Json[]).map((g) => g.id)).toContain(
      grantId,
    );
    expect((await ask(key)).approvalId, 'asks again once revoked').toBeDefined();
  });

  it('revoking an unknown grant is 404, revoking twice is 409, and a member may not revoke or list', async () => {
    const unknown = await admin()('DELETE', '/v1/grants/01NOSUCHGRANT0000000000000');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown)?.code).toBe('not_found');

    const grant = await h.journal.createGrant({
      id: `01GRANTHTTP${Date.now()}`.slice(0, 26),
      tool: 'test_action',
      pattern: { kind: 'exact', argsHash: 'x' },
      scope: { kind: 'everyone' },
      createdBy: 'console:admin',
      expiresAt: null,
      approvalId: null,
      now: Date.now(),
    });
    const asAlice = as('alice');
    expect((await asAlice('GET', '/v1/grants')).status).toBe(403);
    expect(errorOf(await asAlice('DELETE', `/v1/grants/${grant.id}`))?.code).toBe('forbidden');
    // An approver may list (they decide what is asked), not revoke.
    expect((await as('bob')('GET', '/v1/grants')).status).toBe(200);
    expect((await as('bob')('DELETE', `/v1/grants/${grant.id}`)).status).toBe(403);

    expect((await admin()('DELETE', `/v1/grants/${grant.id}`)).status).toBe(200);
    const again = await admin()('DELETE', `/v1/grants/${grant.id}`);
    expect(again.status).toBe(409);
    expect(String(errorOf(again)?.message)).toContain('already revoked by console:admin');
  });

  it('a bad "Always allow" is refused with a reason and leaves the approval pending', async () => {
    const { approvalId } = await ask(`grants-bad-${Date.now()}`);
    const decide = (body: unknown, who = 'admin') =>
      as(who)('POST', `/v1/approvals/${approvalId}/decision`, body);

    const unknownAudience = await decide({ decision: 'approve', scope: 'always', grant: { for: 'nobody' } });
    expect(unknownAudience.status).toBe(400);
    const tooLong = await decide({ decision: 'approve', scope: 'always', grant: { expires_in: '400d' } });
    expect(tooLong.status).toBe(400);
    expect(String(errorOf(tooLong)?.message)).toMatch(/expiry/);
    // An approver may approve once, not for good.
    const approver = await decide({ decision: 'approve', scope: 'always' }, 'bob');
    expect(approver.status).toBe(403);
    expect(String(errorOf(approver)?.message)).toContain('not for good');

    expect((await h.journal.getApproval(approvalId!))?.state).toBe('pending');
    expect(await h.journal.listGrants({ now: Date.now() })).toEqual([]);
  });
});
