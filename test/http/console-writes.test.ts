/**
 * docs/authorization.md, "Every door asks Cedar": a per-user console token is `console:<name>` and
 * may write only what the default policies let that member write; the admin token is
 * `console:admin`, always an admin. Through the real HTTP server, wired as the daemon wires it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASK, type HttpHarness, startHttpHarness, waitFor } from '../support/http-harness.js';

const USERS = [
  { name: 'alice', token: 'alice-console-token-0123456789' },
  { name: 'bob', token: 'bob-console-token-0123456789ab' },
];
const ADMIN_TOKEN = 'admin-token-console-writes-0123456789';
const GROUPS = { admins: ['console:admin'], approvers: [], members: ['console:*'] };

type Json = Record<string, unknown>;
interface Item {
  id: string;
  text: string;
}

let serial = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${++serial}`;

/** Requests as one token, with the body typed loosely for assertions. */
function as(h: HttpHarness, who: string) {
  const token = h.tokens[who]!;
  return async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const res = await h.request(token, method, url, body);
    return { status: res.status, body: (res.body ?? {}) as Json, text: res.text };
  };
}

/** A refusal as the spec words it: 403 `{"error":{"code":"forbidden", …}}`. */
function expectForbidden(res: { status: number; body: Json; text: string }, what: string): void {
  expect(res.status, `${what} should be refused, got ${res.status} ${res.text}`).toBe(403);
  expect((res.body.error as Json | undefined)?.code, what).toBe('forbidden');
}

/** Sends `text` into `sessionKey` as `who`; returns the session and run ids. */
async function send(h: HttpHarness, who: string, sessionKey: string, text: string) {
  const res = await as(h, who)('POST', '/v1/messages', { session_key: sessionKey, text });
  expect(res.status, `${who} sends a message: ${res.text}`).toBe(202);
  return { sessionId: String(res.body.session_id), runId: String(res.body.run_id) };
}

/** Waits until the run asks for `test_action` and waits for a human (so it can still be cancelled). */
async function waitForPendingApproval(h: HttpHarness, runId: string): Promise<string> {
  return waitFor(`a pending approval of run ${runId}`, async () => {
    const [approval] = await h.journal.listApprovals({ runId, state: 'pending', limit: 1 });
    return approval?.id;
  });
}

async function waitForRunState(h: HttpHarness, runId: string, states: string[]): Promise<string> {
  return waitFor(`run ${runId} in ${states.join('/')}`, async () => {
    const run = await h.journal.getRun(runId);
    return run && states.includes(run.state) ? run.state : undefined;
  });
}

describe('console writes ask Cedar for the token’s principal (default policies)', () => {
  let h: HttpHarness;

  beforeAll(async () => {
    h = await startHttpHarness({ groups: GROUPS, users: USERS, adminToken: ADMIN_TOKEN });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a member's console token cannot save workspace memory", async () => {
    const text = unique('alice tries to plant a workspace note');
    const saved = await as(h, 'alice')('POST', '/v1/memory', { scope: 'workspace', text });
    expectForbidden(saved, 'alice saving workspace memory');

    const list = await as(h, 'admin')('GET', '/v1/memory?scope=workspace&limit=500');
    expect(list.status, list.text).toBe(200);
    const items = list.body.items as Item[];
    expect(items.filter((i) => i.text === text)).toEqual([]);
  });

  it("a member's console token cannot read or delete another person's memory", async () => {
    const text = unique('bob keeps his locker code here');
    const saved = await as(h, 'admin')('POST', '/v1/memory', {
      scope: 'principal',
      owner: 'console:bob',
      text,
    });
    expect(saved.status, `the admin saves bob's item: ${saved.text}`).toBe(201);
    const id = String(saved.body.id);

    const alice = as(h, 'alice');
    expectForbidden(await alice('DELETE', `/v1/memory/${id}`), "alice deleting bob's item");
    expectForbidden(
      await alice('DELETE', '/v1/memory?scope=principal&owner=console%3Abob'),
      "alice deleting all of bob's items",
    );
    expectForbidden(await alice('GET', `/v1/memory/${id}`), "alice reading bob's item");
    expectForbidden(
      await alice('GET', '/v1/memory?scope=principal&owner=console%3Abob'),
      "alice listing bob's items",
    );

    const still = await as(h, 'admin')('GET', `/v1/memory/${id}`);
    expect(still.status, `bob's item is still there: ${still.text}`).toBe(200);
    expect(still.body.text).toBe(text);

    // Without a scope the list is filtered item by item: alice's list answers, without bob's item.
    const mine = await alice('GET', '/v1/memory?limit=500');
    expect(mine.status, mine.text).toBe(200);
    expect((mine.body.items as Item[]).map((i) => i.id)).not.toContain(id);
    const search = await alice('GET', `/v1/memory?q=${encodeURIComponent('locker code')}`);
    expect(search.status, search.text).toBe(200);
    expect((search.body.items as Item[]).map((i) => i.id)).not.toContain(id);
  });

  it("a member's console token cannot reset another person's session", async () => {
    const key = unique('bob-room');
    const bob = await send(h, 'bob', key, 'hello from bob');

    expectForbidden(
      await as(h, 'alice')('POST', `/v1/sessions/${bob.sessionId}/reset`),
      "alice resetting bob's session",
    );

    const session = await as(h, 'admin')('GET', `/v1/sessions/${bob.sessionId}`);
    expect(session.status, session.text).toBe(200);
    expect(session.body.closed_at, 'bob’s session is still open').toBeNull();
    const again = await send(h, 'bob', key, 'still here?');
    expect(again.sessionId, 'bob’s next message lands in the same session').toBe(bob.sessionId);
  });

  it("a member's own work still succeeds", async () => {
    const alice = as(h, 'alice');
    const text = unique('alice prefers tea');
    const saved = await alice('POST', '/v1/memory', { scope: 'principal', owner: 'console:alice', text });
    expect(saved.status, `alice saves her own item: ${saved.text}`).toBe(201);
    const id = String(saved.body.id);

    const list = await alice('GET', '/v1/memory?scope=principal&owner=console%3Aalice');
    expect(list.status, `alice lists her own items: ${list.text}`).toBe(200);
    expect((list.body.items as Item[]).map((i) => i.id)).toContain(id);
    const unscoped = await alice('GET', '/v1/memory?limit=500');
    expect(unscoped.status, unscoped.text).toBe(200);
    expect((unscoped.body.items as Item[]).map((i) => i.id)).toContain(id);
    const one = await alice('GET', `/v1/memory/${id}`);
    expect(one.status, `alice reads her own item: ${one.text}`).toBe(200);
    expect(one.body.text).toBe(text);
    const deleted = await alice('DELETE', `/v1/memory/${id}`);
    expect(deleted.status, `alice deletes her own item: ${deleted.text}`).toBe(204);
    expect((await alice('GET', `/v1/memory/${id}`)).status).toBe(404);

    const { sessionId, runId } = await send(h, 'alice', unique('alice-room'), `${ASK} tidy my desk`);
    await waitForPendingApproval(h, runId);

    const run = await alice('GET', `/v1/runs/${runId}`);
    expect(run.status, `alice reads her run: ${run.text}`).toBe(200);
    expect(run.body.principal).toBe('console:alice');
    const tape = await alice('GET', `/v1/runs/${runId}/tape`);
    expect(tape.status, `alice reads her run's tape: ${tape.text}`).toBe(200);
    expect((tape.body.events as unknown[]).length).toBeGreaterThan(0);
    const runs = await alice('GET', '/v1/runs?principal=console%3Aalice');
    expect(runs.status, runs.text).toBe(200);
    expect((runs.body.runs as Json[]).map((r) => r.id)).toContain(runId);
    const session = await alice('GET', `/v1/sessions/${sessionId}`);
    expect(session.status, `alice reads her session: ${session.text}`).toBe(200);

    const cancelled = await alice('POST', `/v1/runs/${runId}/cancel`);
    expect(cancelled.status, `alice cancels her own run: ${cancelled.text}`).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    const reset = await alice('POST', `/v1/sessions/${sessionId}/reset`);
    expect(reset.status, `alice resets her own session: ${reset.text}`).toBe(200);
    expect(reset.body.closed_at).not.toBeNull();
  });

  it('the admin token acts as an admin and can do each of the above', async () => {
    await adminCanDoEverything(h);
  });
});

/**
 * The spec: `console:admin` is always in `admins`, whatever `groups:` says. Here `groups:` leaves it
 * out, so only that rule lets the admin token act as an admin.
 */
describe('the admin token is an admin even when groups: does not list it', () => {
  let h: HttpHarness;

  beforeAll(async () => {
    h = await startHttpHarness({
      groups: { admins: [], approvers: [], members: ['console:*'] },
      users: USERS,
      adminToken: ADMIN_TOKEN,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('the admin token acts as an admin and can do each of the above, with no admins listed', async () => {
    await adminCanDoEverything(h);
  });
});

/** What the admin token may do under the default policies: every write a member was refused above. */
async function adminCanDoEverything(h: HttpHarness): Promise<void> {
  const admin = as(h, 'admin');

  const workspaceText = unique('the office wifi is called switchboard');
  const workspace = await admin('POST', '/v1/memory', { scope: 'workspace', text: workspaceText });
  expect(workspace.status, `the admin saves workspace memory: ${workspace.text}`).toBe(201);
  const listed = await admin('GET', '/v1/memory?scope=workspace&limit=500');
  expect(listed.status, listed.text).toBe(200);
  expect((listed.body.items as Item[]).map((i) => i.text)).toContain(workspaceText);

  const bobsText = unique('bob likes his coffee black');
  const bobs = await admin('POST', '/v1/memory', {
    scope: 'principal',
    owner: 'console:bob',
    text: bobsText,
  });
  expect(bobs.status, `the admin saves bob's item: ${bobs.text}`).toBe(201);
  const bobsId = String(bobs.body.id);
  const read = await admin('GET', `/v1/memory/${bobsId}`);
  expect(read.status, `the admin reads bob's item: ${read.text}`).toBe(200);
  const gone = await admin('DELETE', `/v1/memory/${bobsId}`);
  expect(gone.status, `the admin deletes bob's item: ${gone.text}`).toBe(204);
  expect((await admin('GET', `/v1/memory/${bobsId}`)).status).toBe(404);
  const another = await admin('POST', '/v1/memory', {
    scope: 'principal',
    owner: 'console:bob',
    text: unique('bob again'),
  });
  expect(another.status, another.text).toBe(201);
  const wiped = await admin('DELETE', '/v1/memory?scope=principal&owner=console%3Abob');
  expect(wiped.status, `the admin deletes all of bob's items: ${wiped.text}`).toBe(200);
  expect(wiped.body.deleted).toBeGreaterThanOrEqual(1);
  const none = await admin('GET', '/v1/memory?scope=principal&owner=console%3Abob');
  expect(none.status, none.text).toBe(200);
  expect(none.body.items).toEqual([]);

  const bob = await send(h, 'bob', unique('bob-room'), 'hello from bob');
  const reset = await admin('POST', `/v1/sessions/${bob.sessionId}/reset`);
  expect(reset.status, `the admin resets bob's session: ${reset.text}`).toBe(200);
  expect(reset.body.closed_at).not.toBeNull();

  const alice = await send(h, 'alice', unique('alice-room'), `${ASK} water the plants`);
  await waitForPendingApproval(h, alice.runId);
  const run = await admin('GET', `/v1/runs/${alice.runId}`);
  expect(run.status, `the admin reads alice's run: ${run.text}`).toBe(200);
  const tape = await admin('GET', `/v1/runs/${alice.runId}/tape`);
  expect(tape.status, `the admin reads alice's tape: ${tape.text}`).toBe(200);
  const session = await admin('GET', `/v1/sessions/${alice.sessionId}`);
  expect(session.status, `the admin reads alice's session: ${session.text}`).toBe(200);
  const cancelled = await admin('POST', `/v1/runs/${alice.runId}/cancel`);
  expect(cancelled.status, `the admin cancels alice's run: ${cancelled.text}`).toBe(200);
  expect(await waitForRunState(h, alice.runId, ['cancelled'])).toBe('cancelled');
}
