import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyEngine, type PolicyEngineHandle } from '../../src/policy/cedar-engine.js';
import { EVERYONE } from '../../src/policy/engine.js';
import { DEFAULT_POLICY_DIR, SCHEMA_PATH, toolCall } from './fixture.js';

const ADMIN = 'console:root';
const APPROVER = 'slack:T1:U2';
const MEMBER = 'discord:123';
const STRANGER = 'telegram:999';

let engine: PolicyEngineHandle;

beforeAll(() => {
  engine = loadPolicyEngine({
    dir: DEFAULT_POLICY_DIR,
    schemaPath: SCHEMA_PATH,
    groups: { admins: [ADMIN], approvers: [APPROVER], members: [MEMBER] },
  });
});

const run = (owner: string) => ({ type: 'Run' as const, id: '01JRUN', attrs: { owner } });
const approval = { type: 'Approval' as const, id: '01JAPPROVAL' };
const approvalBy = (requester: string) => ({ requester, tool: 'shell_exec', argsHash: 'sha256:1' });

describe('default policies', () => {
  it('has an @id on every policy', () => {
    expect(engine.policyIds.length).toBeGreaterThan(5);
    for (const id of engine.policyIds) expect(id).toMatch(/^[a-z-]+$/);
  });

  it('lets a member chat and refuses a stranger', () => {
    const chat = (principal: string) =>
      engine.authorize({
        principal,
        action: 'chat',
        resource: { type: 'Conversation', id: 'discord:g1:c2' },
      });
    expect(chat(MEMBER)).toEqual({ allowed: true, policyIds: ['members-chat'], errors: [] });
    expect(chat(ADMIN).allowed).toBe(true);
    expect(chat(STRANGER)).toEqual({ allowed: false, policyIds: [], errors: [] });
  });

  it("runs a member's current_time without asking", () => {
    expect(engine.decideToolCall(toolCall(MEMBER, 'current_time', true))).toEqual({
      decision: 'allow',
      policyIds: ['members-call-read-only-tools'],
      errors: [],
    });
  });

  it("asks a human before a member's shell_exec, file_write and http_fetch", () => {
    for (const tool of ['shell_exec', 'file_write', 'http_fetch']) {
      expect(engine.decideToolCall(toolCall(MEMBER, tool, false))).toEqual({
        decision: 'ask',
        policyIds: ['members-request-tools'],
        errors: [],
      });
    }
  });

  it('asks a human for every MCP tool, even one its server calls read-only and harmless', () => {
    const mcp = (tool: string, readOnly: boolean) => ({
      ...toolCall(MEMBER, tool, readOnly),
      source: 'mcp:files',
      hints: { destructive: false, idempotent: true, openWorld: false },
    });
    expect(engine.decideToolCall(mcp('files__read_text_file', true))).toEqual({
      decision: 'ask',
      policyIds: ['members-request-tools'],
      errors: [],
    });
    expect(engine.decideToolCall(mcp('files__write_file', false)).decision).toBe('ask');
    expect(
      engine.decideToolCall({ ...mcp('files__read_text_file', true), principal: STRANGER }).decision,
    ).toBe('deny');
  });

  it('lets a policy tell MCP tools apart by source and annotations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-policy-mcp-'));
    copyFileSync(join(DEFAULT_POLICY_DIR, 'default.cedar'), join(dir, 'default.cedar'));
    writeFileSync(
      join(dir, 'trust.cedar'),
      `@id("files-reads") permit (principal, action == Switchboard::Action::"call_tool", resource is Switchboard::Tool)
       when { resource.source == "mcp:files" && resource.read_only && !resource.open_world };`,
    );
    const trusting = loadPolicyEngine({ dir, schemaPath: SCHEMA_PATH, groups: { members: [MEMBER] } });
    rmSync(dir, { recursive: true, force: true });
    const ask = (source: string, readOnly: boolean, openWorld: boolean) =>
      trusting.decideToolCall({
        ...toolCall(MEMBER, 'x__tool', readOnly),
        source,
        hints: { destructive: !readOnly, idempotent: readOnly, openWorld },
      }).decision;
    expect(ask('mcp:files', true, false)).toBe('allow');
    expect(ask('mcp:files', true, true)).toBe('ask');
    expect(ask('mcp:files', false, false)).toBe('ask');
    expect(ask('mcp:other', true, false)).toBe('ask');
  });

  it("refuses a stranger's tool calls", () => {
    expect(engine.decideToolCall(toolCall(STRANGER, 'current_time', true)).decision).toBe('deny');
    expect(engine.decideToolCall(toolCall(STRANGER, 'shell_exec', false)).decision).toBe('deny');
  });

  it("lets an approver approve someone else's request but not their own", () => {
    const approve = (principal: string, requester: string) =>
      engine.authorize({ principal, action: 'approve', resource: approval, context: approvalBy(requester) });
    expect(approve(APPROVER, MEMBER)).toEqual({
      allowed: true,
      policyIds: ['approvers-approve-others'],
      errors: [],
    });
    expect(approve(APPROVER, APPROVER).allowed).toBe(false);
    expect(approve(MEMBER, STRANGER).allowed).toBe(false);
  });

  it('lets an admin approve their own request (the documented default)', () => {
    const own = engine.authorize({
      principal: ADMIN,
      action: 'approve',
      resource: approval,
      context: approvalBy(ADMIN),
    });
    expect(own).toEqual({ allowed: true, policyIds: ['admins-approve-any'], errors: [] });
  });

  it('keeps approve_for_session to admins', () => {
    const forSession = (principal: string) =>
      engine.authorize({
        principal,
        action: 'approve_for_session',
        resource: approval,
        context: approvalBy(STRANGER),
      });
    expect(forSession(ADMIN).allowed).toBe(true);
    expect(forSession(APPROVER).allowed).toBe(false);
  });

  it('lets an admin cancel any run and a member only their own', () => {
    const cancel = (principal: string, owner: string) =>
      engine.authorize({ principal, action: 'cancel_run', resource: run(owner) }).allowed;
    expect(cancel(ADMIN, MEMBER)).toBe(true);
    expect(cancel(MEMBER, MEMBER)).toBe(true);
    expect(cancel(MEMBER, APPROVER)).toBe(false);
    expect(cancel(STRANGER, STRANGER)).toBe(false);
  });

  it("lets a member read their own usage, and only an admin everyone's", () => {
    const usage = (principal: string, resource: Parameters<typeof engine.authorize>[0]['resource']) =>
      engine.authorize({ principal, action: 'read_usage', resource }).allowed;
    expect(usage(MEMBER, { type: 'User', id: MEMBER })).toBe(true);
    expect(usage(MEMBER, { type: 'User', id: APPROVER })).toBe(false);
    expect(usage(MEMBER, EVERYONE)).toBe(false);
    expect(usage(ADMIN, EVERYONE)).toBe(true);
    expect(usage(ADMIN, { type: 'User', id: MEMBER })).toBe(true);
    expect(engine.authorize({ principal: ADMIN, action: 'read_events', resource: EVERYONE }).allowed).toBe(
      true,
    );
    expect(engine.authorize({ principal: APPROVER, action: 'read_events', resource: EVERYONE }).allowed).toBe(
      false,
    );
  });

  it('lets a member read their own runs and an admin everyone', () => {
    const reads = (principal: string, resource: Parameters<typeof engine.authorize>[0]['resource']) =>
      engine.authorize({ principal, action: 'read_runs', resource }).allowed;
    expect(reads(MEMBER, run(MEMBER))).toBe(true);
    expect(reads(MEMBER, { type: 'User', id: MEMBER })).toBe(true);
    expect(reads(MEMBER, run(APPROVER))).toBe(false);
    expect(reads(MEMBER, { type: 'User', id: APPROVER })).toBe(false);
    expect(reads(MEMBER, EVERYONE)).toBe(false);
    expect(reads(APPROVER, EVERYONE)).toBe(false);
    expect(reads(ADMIN, EVERYONE)).toBe(true);
    expect(reads(ADMIN, run(MEMBER))).toBe(true);
    expect(reads(STRANGER, run(STRANGER))).toBe(false);
  });

  it('lets a member read and reset only the sessions they took part in', () => {
    const session = { type: 'Session' as const, id: '01JSESSION', attrs: { platform: 'discord' } };
    const ask = (principal: string, action: 'read_sessions' | 'reset_session', tookPart: boolean) =>
      engine.authorize({ principal, action, resource: session, context: { tookPart } }).allowed;
    for (const action of ['read_sessions', 'reset_session'] as const) {
      expect(ask(MEMBER, action, true)).toBe(true);
      expect(ask(MEMBER, action, false)).toBe(false);
      expect(ask(ADMIN, action, false)).toBe(true);
      expect(ask(STRANGER, action, true)).toBe(false);
    }
    const list = (principal: string) =>
      engine.authorize({
        principal,
        action: 'read_sessions',
        resource: EVERYONE,
        context: { tookPart: false },
      }).allowed;
    expect(list(MEMBER)).toBe(false);
    expect(list(ADMIN)).toBe(true);
  });

  it('lets a member read the approvals they asked for and an approver every approval', () => {
    const one = (requester: string) => ({
      type: 'Approval' as const,
      id: '01JAPPROVAL',
      attrs: { requester, tool: 'shell_exec' },
    });
    const reads = (principal: string, resource: Parameters<typeof engine.authorize>[0]['resource']) =>
      engine.authorize({ principal, action: 'read_approvals', resource }).allowed;
    expect(reads(MEMBER, one(MEMBER))).toBe(true);
    expect(reads(MEMBER, { type: 'User', id: MEMBER })).toBe(true);
    expect(reads(MEMBER, one(APPROVER))).toBe(false);
    expect(reads(MEMBER, EVERYONE)).toBe(false);
    expect(reads(APPROVER, EVERYONE)).toBe(true);
    expect(reads(APPROVER, one(MEMBER))).toBe(true);
    expect(reads(STRANGER, one(STRANGER))).toBe(false);
  });

  it('lets members read /status and only admins the metrics', () => {
    const conversation = { type: 'Conversation' as const, id: 'discord:g:c', attrs: { platform: 'discord' } };
    const status = (principal: string) =>
      engine.authorize({ principal, action: 'read_status', resource: conversation }).allowed;
    expect(status(MEMBER)).toBe(true);
    expect(status(STRANGER)).toBe(false);
    const metrics = (principal: string) =>
      engine.authorize({ principal, action: 'read_metrics', resource: EVERYONE }).allowed;
    expect(metrics(ADMIN)).toBe(true);
    expect(metrics(APPROVER)).toBe(false);
  });

  it('denies with a reason when a request is missing what the schema needs', () => {
    const noOwner = engine.authorize({
      principal: ADMIN,
      action: 'cancel_run',
      resource: { type: 'Run', id: 'r' },
    });
    expect(noOwner.allowed).toBe(false);
    expect(noOwner.errors.join()).toContain('owner');
    const wrongResource = engine.authorize({
      principal: ADMIN,
      action: 'read_events',
      resource: { type: 'User', id: MEMBER },
    });
    expect(wrongResource.allowed).toBe(false);
    expect(wrongResource.errors).not.toEqual([]);
  });
});
