/**
 * MCP tools through the whole core (the daemon's own wiring, the default Cedar policies) against
 * real servers from npm: every call passes the same `call_tool` / `request_tool` gate as a
 * built-in, and what a policy or a person refuses never reaches the server.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage, TapeEvent } from '../../../src/core/types.js';
import type { McpServers } from '../../../src/tools/mcp/servers.js';
import { type CoreHarness, startCoreHarness } from '../../support/core-harness.js';
import { RecordingChannel } from '../../support/recording-channel.js';
import { EVERYTHING, FILESYSTEM, serversFor } from './support.js';

const poll = { timeout: 15_000, interval: 20 };
const GROUPS = { admins: ['console:admin'], approvers: ['console:approver'], members: ['console:*'] };
let seq = 0;
const message = (text: string): InboundMessage => ({
  channel: 'test',
  eventId: `ev-${++seq}`,
  device: 'test',
  principal: 'console:alice',
  sessionKey: `k:mcp-${seq}`,
  conversation: { platform: 'test', channel: `c-${seq}` },
  text,
});

/** Trusts the read-only tools of the `files` server only (the documented example). */
const TRUST_FILES_READS = `
@id("trust-files-reads")
permit (principal in Switchboard::Group::"members", action == Switchboard::Action::"call_tool", resource is Switchboard::Tool)
when { resource.source == "mcp:files" && resource.read_only };
`;

/** Lets members call every tool of the `every` server without asking. */
const TRUST_EVERYTHING = `
@id("trust-every")
permit (principal in Switchboard::Group::"members", action == Switchboard::Action::"call_tool", resource is Switchboard::Tool)
when { resource.source == "mcp:every" };
`;

let core: CoreHarness | undefined;
let servers: McpServers | undefined;
afterEach(async () => {
  await servers?.stop();
  await core?.stop();
  servers = undefined;
  core = undefined;
});

/** The core with one MCP server's tools offered to the agent as `<server>__*`. */
async function start(server: 'files' | 'every', extraPolicies?: string) {
  let made: ReturnType<typeof serversFor> | undefined;
  core = await startCoreHarness({
    groups: GROUPS,
    agentTools: [`${server}__*`, 'current_time'],
    ...(extraPolicies ? { extraPolicies } : {}),
    addTools: (registry) => {
      // The workspace exists once the harness made it; the server is told about it below.
      registry.addSource({ tools: () => made?.servers.tools() ?? [] });
    },
    mcpServers: () => made?.servers.status() ?? [],
  });
  const command =
    server === 'files' ? ['node', FILESYSTEM, core.workspaceDir] : ['node', EVERYTHING, 'stdio'];
  made = serversFor({ [server]: { command } }, { workspaceDir: core.workspaceDir });
  servers = made.servers;
  servers.start();
  await servers.settled(20_000);
  expect(servers.status()[0]?.state).toBe('ready');
  const channel = new RecordingChannel('test');
  core.channels.set('test', channel);
  return { core, servers, channel };
}

async function tapeOf(runId: string): Promise<TapeEvent[]> {
  return core!.journal.readTape(runId);
}

async function stateOf(runId: string): Promise<string | undefined> {
  return (await core!.journal.getRun(runId))?.state;
}

describe('MCP tools behind the Cedar gate', () => {
  it('are offered to the model by the agent pattern, named <server>__<tool>', async () => {
    const { core } = await start('files');
    core.provider.enqueue({ text: 'ok' });
    const { runId } = await core.gateway.submit(message('what can you do?'));
    await expect.poll(() => stateOf(runId), poll).toBe('succeeded');
    const offered = core.provider.requests[0]?.tools.map((t) => t.name) ?? [];
    expect(offered).toContain('files__read_text_file');
    expect(offered).toContain('files__write_file');
    expect(offered).toContain('current_time');
    expect(offered.every((name) => name === 'current_time' || name.startsWith('files__'))).toBe(true);
  });

  it('by default ask a human, even for a tool the server calls read-only, and run nothing meanwhile', async () => {
    const { core, servers, channel } = await start('files');
    writeFileSync(join(core.workspaceDir, 'notes.txt'), 'the plan');
    core.provider.enqueue({
      toolCalls: [{ name: 'files__read_text_file', args: { path: join(core.workspaceDir, 'notes.txt') } }],
    });
    const { runId } = await core.gateway.submit(message('read my notes'));
    await expect.poll(() => channel.cards.length, poll).toBe(1);
    const card = channel.cards[0]!;
    expect(card.tool).toBe('files__read_text_file');
    expect(card.argsPreview).toContain('notes.txt');
    expect(servers.status()[0]?.calls).toBe(0);
    const request = (await tapeOf(runId)).find((e) => e.kind === 'approval_request');
    expect(request?.body).toMatchObject({
      tool: 'files__read_text_file',
      policyIds: ['members-request-tools'],
    });
  });

  it('approved: the call runs and its result is on the tape with its server and tool', async () => {
    const { core, servers, channel } = await start('files');
    writeFileSync(join(core.workspaceDir, 'notes.txt'), 'the plan');
    core.provider.enqueue(
      {
        toolCalls: [{ name: 'files__read_text_file', args: { path: join(core.workspaceDir, 'notes.txt') } }],
      },
      { text: 'done reading' },
    );
    const { runId } = await core.gateway.submit(message('read my notes'));
    await expect.poll(() => channel.cards.length, poll).toBe(1);
    const outcome = await core.gateway.decideApproval({
      approvalId: channel.cards[0]!.approvalId,
      decision: 'approve',
      decider: 'console:approver',
    });
    expect(outcome.ok).toBe(true);
    await expect.poll(() => stateOf(runId), poll).toBe('succeeded');
    const tape = await tapeOf(runId);
    expect(tape.find((e) => e.kind === 'tool_call')?.body).toMatchObject({
      tool: 'files__read_text_file',
      source: 'mcp:files',
      via: 'approval',
    });
    expect(tape.find((e) => e.kind === 'tool_output')?.body).toMatchObject({
      tool: 'files__read_text_file',
      source: 'mcp:files',
      ok: true,
      output: 'the plan',
      detail: { server: 'files', tool: 'read_text_file' },
    });
    expect(servers.status()[0]?.calls).toBe(1);
    const usage = await core.journal.usageSummary({ principal: 'console:alice', bucket: 'day' });
    expect(usage.reduce((n, row) => n + row.toolExecutions, 0)).toBe(1);
    // Usage counts the MCP executions and their time per server.
    const answer = await core.gateway.command({
      name: 'usage',
      args: [],
      principal: 'console:alice',
      conversation: { platform: 'test', channel: 'c-usage' },
    });
    expect(answer.text).toMatch(/MCP servers: files 1 calls \(\d+\.\d s\)/);
  });

  it('denied: the server is never called — the file it would have written does not exist', async () => {
    const { core, servers, channel } = await start('files');
    const target = join(core.workspaceDir, 'should-not-exist.txt');
    core.provider.enqueue(
      { toolCalls: [{ name: 'files__write_file', args: { path: target, content: 'oops' } }] },
      { text: 'understood' },
    );
    const { runId } = await core.gateway.submit(message('write a file'));
    await expect.poll(() => channel.cards.length, poll).toBe(1);
    await core.gateway.decideApproval({
      approvalId: channel.cards[0]!.approvalId,
      decision: 'deny',
      decider: 'console:approver',
    });
    await expect.poll(() => stateOf(runId), poll).toBe('succeeded');
    expect(existsSync(target)).toBe(false);
    expect(servers.status()[0]?.calls).toBe(0);
    const output = (await tapeOf(runId)).find((e) => e.kind === 'tool_output');
    expect(output?.body).toMatchObject({ ok: false, denied: true });
  });

  it('a read_only permit for one server runs its read tools without asking, and still asks for its writes', async () => {
    const { core, servers, channel } = await start('files', TRUST_FILES_READS);
    writeFileSync(join(core.workspaceDir, 'notes.txt'), 'trusted read');
    core.provider.enqueue(
      {
        toolCalls: [{ name: 'files__read_text_file', args: { path: join(core.workspaceDir, 'notes.txt') } }],
      },
      { text: 'read it' },
    );
    const { runId } = await core.gateway.submit(message('read'));
    await expect.poll(() => stateOf(runId), poll).toBe('succeeded');
    expect(channel.cards).toHaveLength(0);
    expect((await tapeOf(runId)).find((e) => e.kind === 'tool_call')?.body).toMatchObject({
      via: 'policy',
      policyIds: ['trust-files-reads'],
    });
    expect(servers.status()[0]?.calls).toBe(1);

    core.provider.enqueue({
      toolCalls: [
        { name: 'files__write_file', args: { path: join(core.workspaceDir, 'x.txt'), content: 'x' } },
      ],
    });
    await core.gateway.submit(message('write'));
    await expect.poll(() => channel.cards.length, poll).toBe(1);
    expect(existsSync(join(core.workspaceDir, 'x.txt'))).toBe(false);
  });

  it('arguments that break the server schema are refused before the policy is asked', async () => {
    const { core, servers, channel } = await start('files');
    core.provider.enqueue(
      { toolCalls: [{ name: 'files__write_file', args: { path: join(core.workspaceDir, 'y.txt') } }] },
      { text: 'fixed' },
    );
    const { runId } = await core.gateway.submit(message('write without content'));
    await expect.poll(() => stateOf(runId), poll).toBe('succeeded');
    expect(channel.cards).toHaveLength(0);
    expect(await core.journal.listApprovals({ runId, limit: 10 })).toEqual([]);
    const output = (await tapeOf(runId)).find((e) => e.kind === 'tool_output');
    expect(output?.body).toMatchObject({ ok: false });
    expect(String((output?.body as { output?: string } | undefined)?.output)).toMatch(
      /^invalid arguments: .*content/,
    );
    expect(servers.status()[0]?.calls).toBe(0);
  });

  it('cancel during a slow MCP call ends the run at once, not when the call would have ended', async () => {
    const { core, servers } = await start('every', TRUST_EVERYTHING);
    core.provider.enqueue({
      toolCalls: [{ name: 'every__trigger-long-running-operation', args: { duration: 30, steps: 30 } }],
    });
    const { runId } = await core.gateway.submit(message('take your time'));
    await expect.poll(() => servers.status()[0]?.calls, poll).toBe(1);
    const cancelledAt = Date.now();
    await core.gateway.cancelRun(runId, 'console:admin', 'changed my mind');
    await expect.poll(() => stateOf(runId), poll).toBe('cancelled');
    await expect.poll(() => core.scheduler.activeCount, poll).toBe(0);
    // The operation runs 30 s; the run let go of it long before.
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    // The server is still there for the next run.
    expect(servers.status()[0]?.state).toBe('ready');
  });

  it('/status and GET /v1/tools name each server and its state', async () => {
    const { core } = await start('files');
    const status = await core.gateway.command({
      name: 'status',
      args: [],
      principal: 'console:alice',
      conversation: { platform: 'test', channel: 'c-status' },
    });
    expect(status.text).toMatch(/MCP: files ready \(\d+ tools\)/);
    const listed = core.gateway.toolCatalog.list('console:alice');
    expect(listed.tools.find((t) => t.name === 'files__write_file')).toMatchObject({
      source: 'mcp:files',
      readOnly: false,
    });
    expect(listed.tools.find((t) => t.name === 'current_time')).toMatchObject({ source: 'builtin' });
    expect(listed.servers).toEqual([expect.objectContaining({ name: 'files', state: 'ready' })]);
    expect(() => core.gateway.toolCatalog.list('telegram:7')).toThrow(/read_tools/);
  });
});
