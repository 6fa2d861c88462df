/**
 * An operator's MCP setup through the real daemon process: `mcp_servers:` in the config file, the
 * filesystem server from npm on the daemon's workspace, the model asking for its tools, a person
 * approving over the API, `GET /v1/tools`, the `switchboard mcp` commands, and a stop that leaves
 * no server process behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';
import { FILESYSTEM } from '../tools/mcp/support.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');

interface ToolsAnswer {
  tools: { name: string; source: string; description: string; read_only: boolean }[];
  mcp_servers: { name: string; state: string; transport: string; tools: number; calls: number }[];
}

/** Whether any process runs with `needle` in its command line. */
function processWith(needle: string): boolean {
  const found = spawnSync('pgrep', ['-f', needle], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() !== '';
}

describe('MCP servers in the real daemon', () => {
  let fake: FakeOpenAI;
  let daemon: DaemonProcess;
  let data: { dir: string; cleanup: () => void };
  let workspace: string;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    data = tempDataDir();
    // The daemon's workspace is `<data>.cwd/workspace` (see daemon-process.ts).
    workspace = join(`${data.dir}.cwd`, 'workspace');
    const configPath = join(data.dir, 'switchboard.yaml');
    writeFileSync(
      configPath,
      [
        'groups:',
        '  admins: ["console:admin"]',
        '  approvers: ["console:alice"]',
        '  members: ["console:*"]',
        'agents:',
        '  default:',
        '    tools: [current_time, "files__*"]',
        'mcp_servers:',
        '  files:',
        `    command: [node, ${JSON.stringify(FILESYSTEM)}, ${JSON.stringify(workspace)}]`,
        '',
      ].join('\n'),
    );
    daemon = await startDaemonProcess({
      dataDir: data.dir,
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        SWITCHBOARD_CONFIG: configPath,
      },
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await fake?.close();
    data?.cleanup();
  });

  const tools = async () => (await daemon.api<ToolsAnswer>('GET', '/v1/tools')).body;

  it('starts the server with the daemon and lists its tools at GET /v1/tools', async () => {
    await expect.poll(async () => (await tools()).mcp_servers[0]?.state, { timeout: 20_000 }).toBe('ready');
    const answer = await tools();
    expect(answer.mcp_servers[0]).toMatchObject({ name: 'files', transport: 'stdio' });
    expect(answer.tools.find((t) => t.name === 'files__write_file')).toMatchObject({
      source: 'mcp:files',
      read_only: false,
    });
    expect(answer.tools.find((t) => t.name === 'current_time')).toMatchObject({ source: 'builtin' });
  });

  it('asks before a write, writes once approved, and records server and tool on the tape', async () => {
    await expect.poll(async () => (await tools()).mcp_servers[0]?.state, { timeout: 20_000 }).toBe('ready');
    const target = join(workspace, 'hello.txt');
    fake.enqueue({
      toolCalls: [{ name: 'files__write_file', arguments: { path: target, content: 'hi from MCP' } }],
    });
    fake.enqueue({ text: 'written' });
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:mcp-1',
      text: 'write hello',
      principal: 'console:bob',
    });
    expect(sent.status).toBe(202);
    let approvalId: string | undefined;
    await expect
      .poll(
        async () => {
          const list = await daemon.api<{ approvals: { id: string; tool: string }[] }>(
            'GET',
            `/v1/approvals?run_id=${sent.body.run_id}`,
          );
          approvalId = list.body.approvals[0]?.id;
          return list.body.approvals[0]?.tool;
        },
        { timeout: 10_000 },
      )
      .toBe('files__write_file');
    expect(existsSync(target)).toBe(false);
    const decided = await daemon.api('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      principal: 'console:alice',
    });
    expect(decided.status).toBe(200);
    const run = await daemon.waitForRun(sent.body.run_id);
    expect(run.state).toBe('succeeded');
    expect(readFileSync(target, 'utf8')).toBe('hi from MCP');
    const tape = await daemon.api<{ events: { kind: string; body: Record<string, unknown> }[] }>(
      'GET',
      `/v1/runs/${sent.body.run_id}/tape`,
    );
    expect(tape.body.events.find((e) => e.kind === 'tool_output')?.body).toMatchObject({
      tool: 'files__write_file',
      source: 'mcp:files',
      ok: true,
    });
  });

  it('switchboard mcp list and mcp tools show the server and its tools', () => {
    const env = {
      PATH: process.env.PATH ?? '',
      SWITCHBOARD_URL: daemon.url,
      SWITCHBOARD_ADMIN_TOKEN: daemon.token,
    };
    const list = spawnSync(process.execPath, [CLI, 'mcp', 'list'], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^files\s+ready\s+stdio\s+\d+ tools, \d+ calls/m);
    const listed = spawnSync(process.execPath, [CLI, 'mcp', 'tools', 'files'], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^files__read_text_file\s+read-only/m);
    expect(listed.stdout).toMatch(/^files__write_file\s+writes/m);
    const unknown = spawnSync(process.execPath, [CLI, 'mcp', 'tools', 'nope'], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no MCP server "nope"');
  });

  it('stopping the daemon stops the server process too', async () => {
    expect(processWith(workspace)).toBe(true);
    await daemon.stop();
    await expect.poll(() => processWith(workspace), { timeout: 10_000 }).toBe(false);
  });
});
