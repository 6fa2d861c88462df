/**
 * Complete mediation (docs/authorization.md): every route and chat command answers 2xx / `ok` only
 * when Cedar permits its action on its resource, and refuses with 403 `forbidden` otherwise.
 *
 * Each run generates a random policy set over the spec's actions and random groups, reloads the
 * daemon's own policy engine with them, and asks every route of the spec table and every command as
 * a random principal, against fixtures that exist (runs, a session, pending approvals, memory in
 * each scope). The expected answer is computed here, independently of the implementation: the
 * action and resource come from the spec table, the entities are built by this file, and Cedar
 * itself (`isAuthorized` on the same policy text) answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, type EntityJson, isAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationRef } from '../../src/core/types.js';
import { ASK, type HttpHarness, startHttpHarness, waitFor } from '../support/http-harness.js';

// ---------------------------------------------------------------------------------------------
// The spec: actions and the resource types each one is asked on.

type ResourceType = 'User' | 'Conversation' | 'Run' | 'Approval' | 'Session' | 'Everyone';

const ACTIONS: Readonly<Record<string, readonly ResourceType[]>> = {
  chat: ['Conversation'],
  approve: ['Approval'],
  approve_for_session: ['Approval'],
  grant_always: ['Approval'],
  read_grants: ['Everyone'],
  revoke_grant: ['Everyone'],
  cancel_run: ['Run'],
  read_runs: ['Run', 'User', 'Everyone'],
  read_sessions: ['Session', 'Everyone'],
  reset_session: ['Session'],
  read_approvals: ['Approval', 'User', 'Everyone'],
  read_usage: ['User', 'Everyone'],
  read_events: ['Everyone'],
  read_status: ['Conversation'],
  read_metrics: ['Everyone'],
  read_tools: ['Everyone'],
  read_memory: ['User', 'Conversation', 'Everyone'],
  write_memory: ['User', 'Conversation', 'Everyone'],
  // People.
  decide_access: ['User'],
  read_access: ['Everyone'],
  revoke_access: ['User'],
  link_identity: ['User'],
};
const ACTION_NAMES = Object.keys(ACTIONS);

const GROUP_NAMES = ['admins', 'approvers', 'members', 'ops'] as const;
/** The built-in nesting: an admin is an approver, an approver is a member. */
const GROUP_PARENTS: Readonly<Record<string, readonly string[]>> = {
  admins: ['approvers'],
  approvers: ['members'],
};

const ADMIN = 'console:admin';
const CONSOLE_USERS = ['alice', 'bob', 'carol'] as const;
const CONSOLE_PRINCIPALS = [ADMIN, ...CONSOLE_USERS.map((u) => `console:${u}`)];
/** Platform principals that may be put in groups. */
const PLATFORM_PRINCIPALS = ['discord:100', 'slack:T1:U2'];
/** In no group, ever, and never named by a policy. */
const STRANGER = 'telegram:7';
const GROUPABLE = [...CONSOLE_PRINCIPALS.slice(1), ...PLATFORM_PRINCIPALS];

const TOKENS: Record<string, string> = {
  admin: 'admin-token-mediation-0123456789',
  alice: 'alice-console-token-mediation-01',
  bob: 'bob-console-token-mediation-0123',
  carol: 'carol-console-token-mediation-01',
};

// ---------------------------------------------------------------------------------------------
// Random policies.

type Who = { kind: 'anyone' } | { kind: 'group'; group: string } | { kind: 'user'; principal: string };
type Condition =
  | { kind: 'none' }
  | { kind: 'type'; type: ResourceType }
  | { kind: 'own-run' }
  | { kind: 'self' }
  | { kind: 'took-part' }
  | { kind: 'own-approval' }
  | { kind: 'not-requester' };
interface PolicySpec {
  effect: 'permit' | 'forbid';
  who: Who;
  action: string;
  condition: Condition;
}

const NS = 'Switchboard';

/** Runs of the property; each makes fresh fixtures and asks about 45 doors (about 0.5 s). */
const RUNS = 40;

function policyText(p: PolicySpec, index: number): string {
  const principal =
    p.who.kind === 'anyone'
      ? 'principal'
      : p.who.kind === 'group'
        ? `principal in ${NS}::Group::"${p.who.group}"`
        : `principal == ${NS}::User::"${p.who.principal}"`;
  const action = `action == ${NS}::Action::"${p.action}"`;
  let resource = 'resource';
  let when = '';
  switch (p.condition.kind) {
    case 'none':
      break;
    case 'type':
      resource = `resource is ${NS}::${p.condition.type}`;
      break;
    case 'own-run':
      resource = `resource is ${NS}::Run`;
      when = 'when { resource.owner == principal }';
      break;
    case 'self':
      resource = `resource is ${NS}::User`;
      when = 'when { resource == principal }';
      break;
    case 'took-part':
      resource = `resource is ${NS}::Session`;
      when = 'when { context.took_part }';
      break;
    case 'own-approval':
      resource = `resource is ${NS}::Approval`;
      when = 'when { resource.requester == principal }';
      break;
    case 'not-requester':
      when = 'unless { context.requester == principal }';
      break;
  }
  return `@id("p${index}")\n${p.effect} (\n  ${principal},\n  ${action},\n  ${resource}\n)${when ? `\n${when}` : ''};\n`;
}

const policySetText = (policies: readonly PolicySpec[]) => policies.map(policyText).join('\n');

/** Conditions that validate (strict mode) for `action`, given the resource types it applies to. */
function conditionsFor(action: string): fc.Arbitrary<Condition> {
  const types = ACTIONS[action]!;
  const options: fc.Arbitrary<Condition>[] = [fc.constant<Condition>({ kind: 'none' })];
  if (types.length > 1)
    options.push(fc.constantFrom(...types).map((type) => ({ kind: 'type', type }) as const));
  if (types.includes('Run')) options.push(fc.constant<Condition>({ kind: 'own-run' }));
  if (types.includes('User')) options.push(fc.constant<Condition>({ kind: 'self' }));
  if (types.includes('Session')) options.push(fc.constant<Condition>({ kind: 'took-part' }));
  if (types.includes('Approval')) options.push(fc.constant<Condition>({ kind: 'own-approval' }));
  if (action === 'approve' || action === 'approve_for_session' || action === 'grant_always')
    options.push(fc.constant<Condition>({ kind: 'not-requester' }));
  return fc.oneof(...options);
}

const whoArb: fc.Arbitrary<Who> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Who>({ kind: 'anyone' }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...GROUP_NAMES).map((group) => ({ kind: 'group', group }) as const),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...CONSOLE_PRINCIPALS, ...PLATFORM_PRINCIPALS)
      .map((principal) => ({ kind: 'user', principal }) as const),
  },
);

function policiesFor(action: string): fc.Arbitrary<PolicySpec[]> {
  const one = fc.record({
    effect: fc.oneof(
      { weight: 11, arbitrary: fc.constant<'permit'>('permit') },
      { weight: 1, arbitrary: fc.constant<'forbid'>('forbid') },
    ),
    who: whoArb,
    action: fc.constant(action),
    condition: conditionsFor(action),
  });
  return fc.array(one, { maxLength: 3 });
}

/** Zero or more policies per action; half the sets also let anyone chat, so commands get past `chat`. */
const policySetArb: fc.Arbitrary<PolicySpec[]> = fc
  .tuple(fc.boolean(), ...ACTION_NAMES.map(policiesFor))
  .map(([openChat, ...lists]) => [
    ...(openChat
      ? [{ effect: 'permit', who: { kind: 'anyone' }, action: 'chat', condition: { kind: 'none' } } as const]
      : []),
    ...lists.flat(),
  ]);

/** Each groupable principal in a random subset of the groups; `console:admin` always an admin. */
const groupsArb: fc.Arbitrary<Record<string, string[]>> = fc
  .tuple(...GROUPABLE.map(() => fc.subarray([...GROUP_NAMES])))
  .map((memberships) => {
    const groups: Record<string, string[]> = Object.fromEntries(GROUP_NAMES.map((g) => [g, []]));
    groups.admins!.push(ADMIN);
    memberships.forEach((list, i) => {
      for (const g of list) groups[g]!.push(GROUPABLE[i]!);
    });
    return groups;
  });

const consolePrincipal = fc.constantFrom(...CONSOLE_PRINCIPALS);

const scenarioArb = fc.record({
  policies: policySetArb,
  groups: groupsArb,
  /** Who sends the HTTP requests: a console user's token, or the admin token. */
  actor: fc.constantFrom('admin', ...CONSOLE_USERS),
  /** A second token that asks every read door too. */
  reader: fc.constantFrom('admin', ...CONSOLE_USERS),
  /** With the admin token: the console principal named in `principal` of a message and a decision. */
  actingFor: fc.option(consolePrincipal, { nil: undefined }),
  /** Who types the chat commands. */
  commander: fc.constantFrom(...CONSOLE_PRINCIPALS, ...PLATFORM_PRINCIPALS, STRANGER),
  owners: fc.record({
    a: consolePrincipal,
    b: consolePrincipal,
    c: consolePrincipal,
    d: consolePrincipal,
    memory: consolePrincipal,
    queried: consolePrincipal,
  }),
  decision: fc.constantFrom('approve', 'deny'),
  decisionScope: fc.constantFrom(undefined, 'once', 'session', 'always'),
  usageArg: fc.constantFrom(undefined, 'all', 'me', 'console:bob', 'discord:100'),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// The oracle: Cedar on the same policy text, with entities built from the spec.

interface Resource {
  type: ResourceType;
  id: string;
  attrs?: { owner?: string; requester?: string; tool?: string; platform?: string };
}
interface Ask {
  principal: string;
  action: string;
  resource: Resource;
  tookPart?: boolean;
  approval?: { requester: string; tool: string; argsHash: string };
}

const uid = (type: string, id: string) => ({ type: `${NS}::${type}`, id });
const ref = (type: string, id: string) => ({ __entity: uid(type, id) });

function directGroups(groups: Record<string, string[]>, principal: string): string[] {
  return Object.entries(groups)
    .filter(([, members]) => members.includes(principal))
    .map(([g]) => g);
}

function cedarAllows(policies: string, groups: Record<string, string[]>, ask: Ask): boolean {
  const users = new Set<string>([ask.principal]);
  const entities: EntityJson[] = GROUP_NAMES.map((g) => ({
    uid: uid('Group', g),
    attrs: {},
    parents: (GROUP_PARENTS[g] ?? []).map((p) => uid('Group', p)),
  }));
  const { type, id, attrs } = ask.resource;
  if (type === 'User') users.add(id);
  if (type === 'Run') {
    users.add(attrs!.owner!);
    entities.push({ uid: uid('Run', id), attrs: { owner: ref('User', attrs!.owner!) }, parents: [] });
  }
  if (type === 'Approval') {
    users.add(attrs!.requester!);
    entities.push({
      uid: uid('Approval', id),
      attrs: { requester: ref('User', attrs!.requester!), tool: attrs!.tool! },
      parents: [],
    });
  }
  if (type === 'Session' || type === 'Conversation')
    entities.push({ uid: uid(type, id), attrs: { platform: attrs!.platform! }, parents: [] });
  let context: Context = {};
  if (ask.action === 'read_sessions' || ask.action === 'reset_session')
    context = { took_part: ask.tookPart ?? false };
  if (ask.approval) {
    users.add(ask.approval.requester);
    context = {
      requester: ref('User', ask.approval.requester),
      tool: ask.approval.tool,
      args_hash: ask.approval.argsHash,
      is_requester: ask.approval.requester === ask.principal,
    };
  }
  for (const user of users)
    entities.push({
      uid: uid('User', user),
      attrs: {},
      parents: directGroups(groups, user).map((g) => uid('Group', g)),
    });
  const answer = isAuthorized({
    principal: uid('User', ask.principal),
    action: uid('Action', ask.action),
    resource: uid(type, id),
    context,
    policies: { staticPolicies: policies },
    entities,
  });
  if (answer.type === 'failure') throw new Error(`oracle: ${answer.errors.map((e) => e.message).join('; ')}`);
  // Evaluation errors deny (DESIGN.md section 5).
  return answer.response.decision === 'allow' && answer.response.diagnostics.errors.length === 0;
}

const EVERYONE: Resource = { type: 'Everyone', id: 'all' };
const user = (principal: string): Resource => ({ type: 'User', id: principal });
const conversationIdOf = (c: ConversationRef) =>
  [c.platform, c.workspace, c.channel, c.thread].filter((p) => p !== undefined).join(':');
const conversation = (c: ConversationRef): Resource => ({
  type: 'Conversation',
  id: conversationIdOf(c),
  attrs: { platform: c.platform },
});

// ---------------------------------------------------------------------------------------------
// Fixtures, made under a permissive policy set before the random one is loaded.

const SETUP_POLICIES = `@id("setup-ask-for-every-tool")
forbid (principal, action == ${NS}::Action::"call_tool", resource);

@id("setup-permit-everything-else")
permit (principal, action, resource);
`;

/** Where each commander types: their platform's conversation. */
function conversationOf(principal: string): ConversationRef {
  if (principal.startsWith('discord:')) return { platform: 'discord', workspace: 'g1', channel: 'c1' };
  if (principal.startsWith('slack:')) return { platform: 'slack', workspace: 'T1', channel: 'C1' };
  if (principal.startsWith('telegram:')) return { platform: 'telegram', channel: '-100123' };
  return { platform: 'console', channel: 'mediation-commands' };
}

interface MemoryJson {
  id: string;
  scope: string;
  owner: string;
  conversation: string;
}

interface Fixture {
  key: string;
  sessionId: string;
  runId: string;
  owner: string;
}
interface Fixtures {
  a: Fixture & { approvalId: string; argsHash: string };
  /** A grant in force, for DELETE /v1/grants/:id. */
  grantId: string;
  b: Fixture;
  c: Fixture;
  d: Fixture;
  items: MemoryJson[];
}

type Json = Record<string, unknown>;

/** A response body cut short for a failure message. */
const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** A route as the spec table names it: ids and principals replaced by placeholders. */
const doorOf = (url: string) =>
  url.replace(/[0-9A-HJKMNP-TV-Z]{26}/g, ':id').replace(/(owner|principal|run_id|q)=[^&]*/g, '$1=…');

/** How often Cedar permitted and forbade each action over all runs (and, by door, for MEDIATION_TALLY). */
const seen = new Map<string, { permitted: number; forbidden: number }>();
function tally(what: string, permitted: boolean): void {
  const counts = seen.get(what) ?? { permitted: 0, forbidden: 0 };
  if (permitted) counts.permitted += 1;
  else counts.forbidden += 1;
  seen.set(what, counts);
}

describe('complete mediation', () => {
  let h: HttpHarness;
  let policyDir: string;
  let iteration = 0;
  let commandSerial = 0;

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'sb-mediation-policies-'));
    writeFileSync(join(policyDir, 'policies.cedar'), SETUP_POLICIES);
    h = await startHttpHarness({
      groups: { admins: [ADMIN] },
      policyDir,
      users: CONSOLE_USERS.map((name) => ({ name, token: TOKENS[name]! })),
      adminToken: TOKENS.admin!,
    });
  });
  afterAll(async () => {
    await h?.stop();
    if (policyDir) rmSync(policyDir, { recursive: true, force: true });
  });

  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    h.request(TOKENS.admin!, method, url, body);

  function load(text: string, groups: Record<string, string[]>): void {
    writeFileSync(join(policyDir, 'policies.cedar'), text);
    const result = h.policy.reload({ groups });
    if (!result.ok)
      throw new Error(`the daemon's policy engine refused the policy set:\n${result.errors.join('\n')}`);
  }

  async function runFixture(tag: string, owner: string, text: string): Promise<Fixture> {
    const key = `mediation-${iteration}-${tag}`;
    const res = await admin('POST', '/v1/messages', { session_key: key, text, principal: owner });
    if (res.status !== 202) throw new Error(`fixture message ${tag}: ${res.status} ${res.text}`);
    const body = res.body as Json;
    return { key, owner, sessionId: String(body.session_id), runId: String(body.run_id) };
  }

  const pendingApproval = (runId: string) =>
    waitFor(`a pending approval of run ${runId}`, async () => {
      const [approval] = await h.journal.listApprovals({ runId, state: 'pending', limit: 1 });
      return approval;
    });

  async function makeFixtures(s: Scenario): Promise<Fixtures> {
    iteration += 1;
    // Grants an earlier round made would let the fixtures' tool calls run unasked.
    for (const grant of await h.journal.listGrants({ now: Date.now() }))
      await h.journal.revokeGrant(grant.id, ADMIN, Date.now());
    await h.gateway.grants.book?.reload();
    load(SETUP_POLICIES, { admins: [ADMIN] });
    const [a, b, c, d] = await Promise.all([
      runFixture('a', s.owners.a, `${ASK} run a`),
      runFixture('b', s.owners.b, `${ASK} run b`),
      runFixture('c', s.owners.c, `${ASK} run c`),
      runFixture('d', s.owners.d, 'run d, answered at once'),
    ]);
    const [approvalA] = await Promise.all([
      pendingApproval(a.runId),
      pendingApproval(b.runId),
      pendingApproval(c.runId),
      waitFor(`run ${d.runId} to succeed`, async () =>
        (await h.journal.getRun(d.runId))?.state === 'succeeded' ? true : undefined,
      ),
    ]);
    const items: Fixtures['items'] = [];
    for (const [scope, owner] of [
      ['workspace', undefined],
      ['principal', s.owners.memory],
      ['session', a.sessionId],
    ] as const) {
      const res = await admin('POST', '/v1/memory', {
        scope,
        text: `mediation note ${iteration} in ${scope}`,
        ...(owner ? { owner } : {}),
      });
      if (res.status !== 201) throw new Error(`fixture memory ${scope}: ${res.status} ${res.text}`);
      const item = res.body as Json;
      items.push({
        id: String(item.id),
        scope,
        owner: String(item.owner),
        conversation: String(item.conversation),
      });
    }
    // A grant nobody's call matches, only to be revoked.
    const grant = await h.journal.createGrant({
      id: `01GRANT${String(iteration).padStart(19, '0')}`,
      tool: 'mediation_tool',
      pattern: { kind: 'exact', argsHash: 'none' },
      scope: { kind: 'everyone' },
      createdBy: ADMIN,
      expiresAt: null,
      approvalId: null,
      now: Date.now(),
    });
    await h.gateway.grants.book?.reload();
    return {
      grantId: grant.id,
      a: { ...a, approvalId: approvalA.id, argsHash: approvalA.argsHash },
      b,
      c,
      d,
      items,
    };
  }

  /** The resource of a memory scope (docs/authorization.md: User, Conversation, Everyone). */
  const memoryResource = (scope: string, owner: string, conversationId: string): Resource =>
    scope === 'principal'
      ? user(owner)
      : scope === 'session'
        ? { type: 'Conversation', id: conversationId, attrs: { platform: conversationId.split(':')[0]! } }
        : EVERYONE;

  async function check(s: Scenario): Promise<void> {
    const f = await makeFixtures(s);
    const policies = policySetText(s.policies);
    load(policies, s.groups);

    const answers = new Map<string, boolean>();
    const allows = (principal: string, ask: Omit<Ask, 'principal'>): boolean => {
      const key = JSON.stringify([principal, ask]);
      let allowed = answers.get(key);
      if (allowed === undefined) {
        allowed = cedarAllows(policies, s.groups, { principal, ...ask });
        answers.set(key, allowed);
      }
      tally(ask.action, allowed);
      return allowed;
    };
    const problems: string[] = [];

    const run = (fx: Fixture): Resource => ({ type: 'Run', id: fx.runId, attrs: { owner: fx.owner } });
    const sessionA: Resource = { type: 'Session', id: f.a.sessionId, attrs: { platform: 'console' } };
    const approvalA: Resource = {
      type: 'Approval',
      id: f.a.approvalId,
      attrs: { requester: f.a.owner, tool: 'test_action' },
    };
    const consoleConversation = (key: string) => conversation({ platform: 'console', channel: key });
    const queried = s.owners.queried;
    const principalItem = f.items.find((i) => i.scope === 'principal')!;

    /** One route as the token `who`: 2xx exactly when `permitted`, else 403 forbidden. */
    const route = async (
      who: string,
      method: 'GET' | 'POST' | 'DELETE',
      url: string,
      permitted: boolean,
      body?: unknown,
    ): Promise<void> => {
      const res = await h.request(TOKENS[who]!, method, url, body);
      const code = ((res.body as Json | undefined)?.error as Json | undefined)?.code;
      const ok = res.status >= 200 && res.status < 300;
      tally(`${method} ${doorOf(url)}`, permitted);
      if (permitted && !ok)
        problems.push(
          `${method} ${url} as ${who}: Cedar permits it, the route answered ${res.status} ${clip(res.text)}`,
        );
      if (!permitted && (res.status !== 403 || code !== 'forbidden'))
        problems.push(
          `${method} ${url} as ${who}: Cedar forbids it, the route answered ${res.status} ${clip(res.text)}`,
        );
    };

    // Reads change nothing, so two tokens ask every read door.
    for (const who of new Set([s.actor, s.reader])) {
      const principal = who === 'admin' ? ADMIN : `console:${who}`;
      const may = (ask: Omit<Ask, 'principal'>) => allows(principal, ask);
      const get = (url: string, permitted: boolean) => route(who, 'GET', url, permitted);
      await get('/v1/runs', may({ action: 'read_runs', resource: EVERYONE }));
      await get(
        `/v1/runs?principal=${encodeURIComponent(queried)}`,
        may({ action: 'read_runs', resource: user(queried) }),
      );
      const readA = may({ action: 'read_runs', resource: run(f.a) });
      await get(`/v1/runs/${f.a.runId}`, readA);
      await get(`/v1/runs/${f.a.runId}/tape`, readA);
      await get(`/v1/runs/${f.d.runId}/events`, may({ action: 'read_runs', resource: run(f.d) }));
      await get('/v1/sessions', may({ action: 'read_sessions', resource: EVERYONE, tookPart: false }));
      await get(
        `/v1/sessions/${f.a.sessionId}`,
        may({ action: 'read_sessions', resource: sessionA, tookPart: principal === f.a.owner }),
      );
      await get('/v1/approvals', may({ action: 'read_approvals', resource: EVERYONE }));
      await get(
        `/v1/approvals?run_id=${f.a.runId}`,
        may({ action: 'read_approvals', resource: user(f.a.owner) }),
      );
      await get(`/v1/approvals/${f.a.approvalId}`, may({ action: 'read_approvals', resource: approvalA }));
      await get('/v1/usage', may({ action: 'read_usage', resource: EVERYONE }));
      await get(
        `/v1/usage?principal=${encodeURIComponent(queried)}`,
        may({ action: 'read_usage', resource: user(queried) }),
      );
      await get('/v1/events/recent', may({ action: 'read_events', resource: EVERYONE }));
      await get('/metrics', may({ action: 'read_metrics', resource: EVERYONE }));
      await get('/v1/tools', may({ action: 'read_tools', resource: EVERYONE }));
      await get('/v1/grants', may({ action: 'read_grants', resource: EVERYONE }));
      await get('/v1/grants?all=true', may({ action: 'read_grants', resource: EVERYONE }));
      await get('/v1/access', may({ action: 'read_access', resource: EVERYONE }));

      // Memory: one scope, one item, and the lists filtered item by item.
      await get('/v1/memory?scope=workspace', may({ action: 'read_memory', resource: EVERYONE }));
      await get(
        `/v1/memory?scope=principal&owner=${encodeURIComponent(principalItem.owner)}`,
        may({ action: 'read_memory', resource: user(principalItem.owner) }),
      );
      await get(
        `/v1/memory?scope=session&owner=${f.a.sessionId}`,
        may({ action: 'read_memory', resource: consoleConversation(f.a.key) }),
      );
      const mayReadItem = (item: MemoryJson) =>
        may({ action: 'read_memory', resource: memoryResource(item.scope, item.owner, item.conversation) });
      for (const item of f.items) await get(`/v1/memory/${item.id}`, mayReadItem(item));
      for (const url of [
        '/v1/memory?limit=500',
        `/v1/memory?q=${encodeURIComponent(`mediation note ${iteration}`)}`,
      ]) {
        const res = await h.request(TOKENS[who]!, 'GET', url);
        if (res.status !== 200) {
          problems.push(
            `GET ${url} as ${who}: a filtered list always answers, got ${res.status} ${clip(res.text)}`,
          );
          continue;
        }
        const listed = ((res.body as Json).items ?? []) as MemoryJson[];
        for (const item of listed)
          if (!mayReadItem(item))
            problems.push(
              `GET ${url} as ${who}: lists ${item.scope} item ${item.id} (owner ${item.owner}) that Cedar forbids`,
            );
        if (url.includes('limit=500'))
          for (const item of f.items)
            if (mayReadItem(item) && !listed.some((l) => l.id === item.id))
              problems.push(
                `GET ${url} as ${who}: leaves out ${item.scope} item ${item.id} that Cedar permits`,
              );
      }
    }

    // Commands: `chat` in the conversation first, then the command's own action. The read-only
    // ones are asked by the commander, the actor and the stranger; /cancel, which ends run c, by
    // the commander.
    const command = async (
      commander: string,
      name: 'help' | 'status' | 'approvals' | 'usage' | 'cancel' | 'grants' | 'access',
      args: string[],
    ): Promise<void> => {
      const where = conversationOf(commander);
      const chats = allows(commander, { action: 'chat', resource: conversation(where) });
      const usageOf =
        args[0] === undefined || args[0] === 'me'
          ? user(commander)
          : args[0] === 'all'
            ? EVERYONE
            : user(args[0]);
      // Every question is asked (no short cut), so each action's answers are tallied.
      const own: Record<typeof name, boolean> = {
        help: true,
        status: allows(commander, { action: 'read_status', resource: conversation(where) }),
        approvals: [
          allows(commander, { action: 'read_approvals', resource: EVERYONE }),
          allows(commander, { action: 'read_approvals', resource: user(commander) }),
        ].some(Boolean),
        usage: allows(commander, { action: 'read_usage', resource: usageOf }),
        cancel: allows(commander, { action: 'cancel_run', resource: run(f.c) }),
        grants: allows(commander, { action: 'read_grants', resource: EVERYONE }),
        access: allows(commander, { action: 'read_access', resource: EVERYONE }),
      };
      const permitted = chats && own[name];
      commandSerial += 1;
      const answer = await h.gateway.command({
        name,
        args,
        principal: commander,
        conversation: where,
        sessionKey: conversationIdOf(where),
        eventId: `mediation-command-${commandSerial}`,
      });
      tally(`/${name}`, permitted);
      const label = `/${[name, ...args].join(' ')} by ${commander}`;
      if (answer.ok !== permitted)
        problems.push(
          `${label}: Cedar ${permitted ? 'permits' : 'forbids'} it, the command answered ok=${answer.ok}: ${clip(answer.text)}`,
        );
      // The caller typed the run id of /cancel; an approval id they never saw must not be told.
      if (!permitted && answer.text.includes(f.a.approvalId))
        problems.push(
          `${label}: refused, yet the answer reveals approval ${f.a.approvalId}: ${clip(answer.text)}`,
        );
    };
    const actorPrincipal = s.actor === 'admin' ? ADMIN : `console:${s.actor}`;
    for (const commander of new Set([s.commander, actorPrincipal, STRANGER])) {
      await command(commander, 'help', []);
      await command(commander, 'status', []);
      await command(commander, 'approvals', []);
      await command(commander, 'usage', s.usageArg === undefined ? [] : [s.usageArg]);
      await command(commander, 'grants', []);
      await command(commander, 'access', []);
    }
    await command(s.commander, 'cancel', [f.c.runId]);

    // Writes, by the scenario's actor, each on its own fixture so an earlier one cannot make a
    // permitted one fail.
    const actor = s.actor === 'admin' ? ADMIN : `console:${s.actor}`;
    const may = (ask: Omit<Ask, 'principal'>) => allows(actor, ask);
    const write = (method: 'POST' | 'DELETE', url: string, permitted: boolean, body?: unknown) =>
      route(s.actor, method, url, permitted, body);
    const named = s.actor === 'admin' && s.actingFor ? s.actingFor : actor;
    const approvalAsk = {
      resource: approvalA,
      approval: { requester: f.a.owner, tool: 'test_action', argsHash: f.a.argsHash },
    };
    const further =
      s.decision !== 'approve'
        ? undefined
        : s.decisionScope === 'session'
          ? 'approve_for_session'
          : s.decisionScope === 'always'
            ? 'grant_always'
            : undefined;
    const approves = allows(named, { action: 'approve', ...approvalAsk });
    // Every question is asked (no short cut), so each action's answers are tallied.
    const approvesFurther = {
      approve_for_session: allows(named, { action: 'approve_for_session', ...approvalAsk }),
      grant_always: allows(named, { action: 'grant_always', ...approvalAsk }),
    };
    await write(
      'POST',
      `/v1/approvals/${f.a.approvalId}/decision`,
      approves && (further === undefined || approvesFurther[further]),
      {
        decision: s.decision,
        ...(s.decisionScope ? { scope: s.decisionScope } : {}),
        ...(named !== actor ? { principal: named } : {}),
      },
    );
    await write('POST', `/v1/runs/${f.b.runId}/cancel`, may({ action: 'cancel_run', resource: run(f.b) }));
    await write('DELETE', `/v1/grants/${f.grantId}`, may({ action: 'revoke_grant', resource: EVERYONE }));
    await write(
      'POST',
      `/v1/sessions/${f.a.sessionId}/reset`,
      may({ action: 'reset_session', resource: sessionA, tookPart: actor === f.a.owner }),
    );
    for (const item of f.items)
      await write(
        'DELETE',
        `/v1/memory/${item.id}`,
        may({ action: 'write_memory', resource: memoryResource(item.scope, item.owner, item.conversation) }),
      );
    const note = `written by ${actor} in run ${iteration}`;
    await write('POST', '/v1/memory', may({ action: 'write_memory', resource: EVERYONE }), {
      scope: 'workspace',
      text: note,
    });
    await write('POST', '/v1/memory', may({ action: 'write_memory', resource: user(queried) }), {
      scope: 'principal',
      owner: queried,
      text: note,
    });
    await write(
      'POST',
      '/v1/memory',
      may({ action: 'write_memory', resource: consoleConversation(f.a.key) }),
      {
        scope: 'session',
        owner: f.a.sessionId,
        text: note,
      },
    );
    await write(
      'DELETE',
      `/v1/memory?scope=principal&owner=${encodeURIComponent(queried)}`,
      may({ action: 'write_memory', resource: user(queried) }),
    );
    await write(
      'DELETE',
      `/v1/memory?scope=session&owner=${f.a.sessionId}`,
      may({ action: 'write_memory', resource: consoleConversation(f.a.key) }),
    );
    await write('DELETE', '/v1/memory?scope=workspace', may({ action: 'write_memory', resource: EVERYONE }));
    // People: each door on principals of this iteration alone, never in a group nor named by a
    // policy, so nothing granted or linked here changes another answer.
    const person = (n: number) => `telegram:9${n}0${iteration}`;
    const now = Date.now();
    await h.journal.grantMembership({ principal: person(1), group: 'ops', by: 'fixture', now });
    const requestId = `01MEDIATIONACCESS${String(iteration).padStart(9, '0')}`;
    await h.journal.raiseAccessRequest({
      claim: { channel: 'telegram', eventId: `mediation-access-${iteration}`, now },
      request: {
        id: requestId,
        principal: person(2),
        channel: 'telegram',
        group: 'ops',
        message: {
          channel: 'telegram',
          eventId: `mediation-access-${iteration}`,
          device: 'telegram:1',
          principal: person(2),
          sessionKey: `telegram:${person(2)}`,
          conversation: { platform: 'telegram', channel: person(2) },
          text: 'let me in',
        },
        expiresAt: now + 60_000,
      },
      cards: [],
      now,
    });
    await write(
      'POST',
      '/v1/access/memberships',
      may({ action: 'decide_access', resource: user(person(3)) }),
      { who: person(3), group: 'ops' },
    );
    await write(
      'DELETE',
      `/v1/access/memberships/${encodeURIComponent(person(1))}`,
      may({ action: 'revoke_access', resource: user(person(1)) }),
    );
    await write(
      'POST',
      `/v1/access/requests/${requestId}/decision`,
      may({ action: 'decide_access', resource: user(person(2)) }),
      { decision: 'deny' },
    );
    await write('POST', '/v1/links', may({ action: 'link_identity', resource: user(person(4)) }), {
      identity: person(4),
      person: person(5),
    });
    const newKey = `mediation-${iteration}-new`;
    await write(
      'POST',
      '/v1/messages',
      allows(named, { action: 'chat', resource: consoleConversation(newKey) }),
      {
        session_key: newKey,
        text: 'hello',
        ...(named !== actor ? { principal: named } : {}),
      },
    );

    expect(
      problems,
      [
        `writes by ${actor}${named !== actor ? ` (naming ${named})` : ''}; /cancel by ${s.commander}`,
        `groups: ${JSON.stringify(s.groups)}`,
        `fixture owners: ${JSON.stringify(s.owners)}`,
        'policies:',
        policies || '(none: everything is denied)',
      ].join('\n'),
    ).toEqual([]);
  }

  it('every route and command answers 2xx/ok only when Cedar permits its action', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        await check(s);
      }),
      { numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(90_000)] },
    );
    // The generator must reach both answers for every action, or the property proves little.
    if (process.env.MEDIATION_TALLY) console.log(`TALLY ${JSON.stringify(Object.fromEntries(seen))}`);
    const oneSided = ACTION_NAMES.filter((a) => !seen.get(a)?.permitted || !seen.get(a)?.forbidden);
    expect(oneSided, 'actions the random policies never permitted or never forbade').toEqual([]);
  }, 180_000);
});
