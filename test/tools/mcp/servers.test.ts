import { type ChildProcess, spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mcpServersSchema } from '../../../src/config/mcp-schema.js';
import { McpServer } from '../../../src/tools/mcp/server.js';
import type { McpServers } from '../../../src/tools/mcp/servers.js';
import { createTransport } from '../../../src/tools/mcp/transport.js';
import { detectIsolation } from '../../../src/tools/sandbox/tier.js';
import type { Tool, ToolContext } from '../../../src/tools/tool.js';
import {
  EVERYTHING,
  FILESYSTEM,
  freePort,
  GROWING,
  NEVER,
  NODE_MODULES,
  recordingLogger,
  serversFor,
} from './support.js';

const poll = { timeout: 15_000, interval: 25 };
let dir: string;
let workspaceDir: string;
const running: McpServers[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-mcp-'));
  workspaceDir = join(dir, 'workspace');
  mkdirSync(workspaceDir);
});
afterEach(async () => {
  for (const servers of running.splice(0)) await servers.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(signal: AbortSignal = NEVER): ToolContext {
  return { runId: 'r', sessionId: 's', principal: 'console:alice', workspaceDir, signal };
}

async function started(
  section: Record<string, unknown>,
  options: { env?: NodeJS.ProcessEnv; bwrapPath?: string } = {},
) {
  const made = serversFor(section, { workspaceDir, ...options });
  running.push(made.servers);
  made.servers.start();
  await made.servers.settled(20_000);
  return made;
}

function toolOf(servers: McpServers, name: string): Tool {
  const tool = servers.tools().find((t) => t.name === name);
  if (!tool)
    throw new Error(
      `no tool ${name} among ${servers
        .tools()
        .map((t) => t.name)
        .join(', ')}`,
    );
  return tool;
}

describe('MCP servers over stdio (server-everything, server-filesystem from npm)', () => {
  it('lists the tools as <server>__<tool> with their schema, source and annotations', async () => {
    const { servers } = await started({ every: { command: ['node', EVERYTHING, 'stdio'] } });
    expect(servers.status()[0]).toMatchObject({
      name: 'every',
      transport: 'stdio',
      state: 'ready',
      restarts: 0,
    });
    const echo = toolOf(servers, 'every__echo');
    expect(echo.source).toBe('mcp:every');
    expect(echo.readOnly).toBe(true);
    expect(echo.hints).toEqual({ destructive: false, idempotent: true, openWorld: false });
    expect(echo.parameters).toMatchObject({ type: 'object', required: ['message'] });
    expect(echo.description).toContain('MCP server "every"');
    // Names the model APIs refuse are made safe: `get-sum` stays, nothing has a dot or a space.
    for (const tool of servers.tools()) expect(tool.name).toMatch(/^every__[A-Za-z0-9_-]{1,56}$/);
  });

  it('calls a tool and maps text, images and structured content to the output', async () => {
    const { servers } = await started({ every: { command: ['node', EVERYTHING, 'stdio'] } });
    expect(await toolOf(servers, 'every__echo').run({ message: 'hello' }, context())).toMatchObject({
      ok: true,
      output: 'Echo: hello',
      detail: { server: 'every', tool: 'echo' },
    });
    const image = await toolOf(servers, 'every__get-tiny-image').run({}, context());
    expect(image.output).toMatch(/\[image: image\/png, \d+ bytes\]/);
    const structured = await toolOf(servers, 'every__get-structured-content').run(
      { location: 'Chicago' },
      context(),
    );
    expect(JSON.parse(structured.output)).toHaveProperty('temperature');
    expect(servers.status()[0]).toMatchObject({ calls: 3, failedCalls: 0 });
  });

  it("leaves no listener on the run's signal, however many calls the run makes", async () => {
    const { servers } = await started({ every: { command: ['node', EVERYTHING, 'stdio'] } });
    const run = new AbortController();
    const echo = toolOf(servers, 'every__echo');
    for (let i = 0; i < 25; i++) await echo.run({ message: `call ${i}` }, context(run.signal));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('checks arguments against the server schema before anything runs', async () => {
    const { servers } = await started({ every: { command: ['node', EVERYTHING, 'stdio'] } });
    const echo = toolOf(servers, 'every__echo');
    expect(echo.checkArgs?.({})).toMatch(/message/);
    expect(echo.checkArgs?.({ message: 7 })).toMatch(/string/);
    expect(echo.checkArgs?.([])).toMatch(/object/);
    expect(echo.checkArgs?.({ message: 'fine' })).toBeUndefined();
    expect(servers.status()[0]?.calls).toBe(0);
  });

  it("hands a stdio server only harmless variables, the file's env and env_from — not the daemon's secrets", async () => {
    const env = { ...process.env, SLACK_BOT_TOKEN: 'xoxb-daemon-secret', GITHUB_PAT: 'ghp-for-the-server' };
    const { servers } = await started(
      {
        every: {
          command: ['node', EVERYTHING, 'stdio'],
          env: { GREETING: 'hi' },
          env_from: { GH_TOKEN: 'GITHUB_PAT' },
        },
      },
      { env },
    );
    const seen = JSON.parse((await toolOf(servers, 'every__get-env').run({}, context())).output) as Record<
      string,
      string
    >;
    expect(seen.GREETING).toBe('hi');
    expect(seen.GH_TOKEN).toBe('ghp-for-the-server');
    expect(Object.values(seen)).not.toContain('xoxb-daemon-secret');
    expect(seen.SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('follows the server tool list as it changes (notifications/tools/list_changed)', async () => {
    const { servers } = await started({ grow: { command: ['node', GROWING] } });
    expect(servers.tools().map((t) => t.name)).toEqual(['grow__grow']);
    expect((await toolOf(servers, 'grow__grow').run({}, context())).output).toBe('added extra_1');
    await expect
      .poll(() => servers.tools().map((t) => t.name), poll)
      .toEqual(['grow__grow', 'grow__extra_1']);
    expect((await toolOf(servers, 'grow__extra_1').run({}, context())).output).toBe('extra_1 ran');
  });

  it('a server whose env_from variable is unset fails for good with the reason, and is not retried', async () => {
    const { servers, lines } = await started({
      every: { command: ['node', EVERYTHING, 'stdio'], env_from: { TOKEN: 'SB_TEST_NOT_SET' } },
    });
    expect(servers.status()[0]).toMatchObject({ state: 'failed', restarts: 0 });
    expect(servers.status()[0]?.lastError).toContain('SB_TEST_NOT_SET is not set');
    expect(servers.tools()).toEqual([]);
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'MCP server cannot start')).toBe(true);
  });

  it('a server killed mid-call gives a tool error, is restarted, and the next call works', async () => {
    const { servers, lines } = await started({ every: { command: ['node', EVERYTHING, 'stdio'] } });
    const server = servers.get('every')!;
    const slow = toolOf(servers, 'every__trigger-long-running-operation');
    const pending = slow.run({ duration: 10, steps: 10 }, context());
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(server.pid!, 'SIGKILL');
    const result = await pending;
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/stopped during the call|closed/);
    await expect.poll(() => server.status().state, poll).toBe('ready');
    expect(server.status().restarts).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.msg === 'MCP server down; restarting')).toBe(true);
    expect(await toolOf(servers, 'every__echo').run({ message: 'again' }, context())).toMatchObject({
      ok: true,
      output: 'Echo: again',
    });
  });

  it('a hung server (a call times out, a ping goes unanswered) is restarted', async () => {
    const { servers } = await started({ every: { command: ['node', EVERYTHING, 'stdio'], timeout: 400 } });
    const server = servers.get('every')!;
    const firstPid = server.pid!;
    process.kill(firstPid, 'SIGSTOP');
    try {
      const result = await toolOf(servers, 'every__echo').run({ message: 'anyone?' }, context());
      expect(result).toMatchObject({ ok: false });
      expect(result.output).toContain('did not answer');
      await expect.poll(() => server.status().restarts, poll).toBeGreaterThanOrEqual(1);
      await expect.poll(() => server.status().state, poll).toBe('ready');
      expect(server.pid).not.toBe(firstPid);
      expect((await toolOf(servers, 'every__echo').run({ message: 'back' }, context())).output).toBe(
        'Echo: back',
      );
    } finally {
      try {
        process.kill(firstPid, 'SIGKILL');
      } catch {
        // Already gone: the restart killed it.
      }
    }
  });

  it('cancel sends notifications/cancelled and stops waiting at once', async () => {
    const sent: unknown[] = [];
    const config = mcpServersSchema.parse({ every: { command: ['node', EVERYTHING, 'stdio'] } }).every!;
    const { logger } = recordingLogger();
    const server = new McpServer('every', config, {
      env: {},
      workspaceDir,
      bwrapPath: undefined,
      logger,
      transportFactory: (name, cfg, ctx) => {
        const transport = createTransport(name, cfg, ctx);
        const send = transport.send.bind(transport);
        transport.send = (message, options) => {
          sent.push(message);
          return send(message, options);
        };
        return transport;
      },
    });
    server.start();
    try {
      expect(await server.settled(20_000)).toBe('ready');
      const controller = new AbortController();
      const started = Date.now();
      const call = server.call(
        'trigger-long-running-operation',
        { duration: 20, steps: 20 },
        controller.signal,
      );
      setTimeout(() => controller.abort(new Error('cancelled by alice')), 200);
      await expect(call).rejects.toThrow('cancelled by alice');
      // The operation takes 20 s; the call stopped waiting long before.
      expect(Date.now() - started).toBeLessThan(10_000);
      const cancelled = sent.find((m) => (m as { method?: string }).method === 'notifications/cancelled') as
        | { params: { requestId: unknown; reason?: string } }
        | undefined;
      const request = sent.find((m) => (m as { method?: string }).method === 'tools/call') as { id: unknown };
      expect(cancelled?.params.requestId).toBe(request.id);
    } finally {
      await server.stop();
    }
  });
});

describe('MCP servers over Streamable HTTP', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('lists and calls the tools of server-everything on loopback', async () => {
    const port = await freePort();
    child = spawn('node', [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: 'pipe',
    });
    const url = `http://127.0.0.1:${port}/mcp`;
    const { servers } = await (async () => {
      // The server needs a moment to listen; the client's back-off retries until it does.
      const made = serversFor({ web: { url } }, { workspaceDir, backoffMs: 100 });
      running.push(made.servers);
      made.servers.start();
      await expect.poll(() => made.servers.status()[0]?.state, poll).toBe('ready');
      return made;
    })();
    expect(servers.status()[0]).toMatchObject({ transport: 'http', state: 'ready' });
    const echo = toolOf(servers, 'web__echo');
    expect(echo.source).toBe('mcp:web');
    expect(await echo.run({ message: 'over http' }, context())).toMatchObject({
      ok: true,
      output: 'Echo: over http',
    });
  });

  it('sends headers from the environment variables headers_env names', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const http = createServer((request, response) => {
      seen.push(request.headers);
      response.statusCode = 500;
      response.end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const made = serversFor(
        { api: { url: `http://127.0.0.1:${port}/mcp`, headers_env: { Authorization: 'SB_TEST_API_AUTH' } } },
        { workspaceDir, env: { SB_TEST_API_AUTH: 'Bearer from-the-environment' } },
      );
      running.push(made.servers);
      made.servers.start();
      await expect.poll(() => seen.length, poll).toBeGreaterThan(0);
      expect(seen[0]?.authorization).toBe('Bearer from-the-environment');
      await expect.poll(() => made.servers.status()[0]?.state, poll).toBe('restarting');
    } finally {
      http.close();
    }
  });
});

describe('a sandboxed stdio server (sandbox: true)', async () => {
  const isolation = await detectIsolation();
  const bwrapPath = isolation.tier === 'bwrap' ? isolation.bwrapPath : undefined;

  it('refuses to start without bubblewrap, saying why', async () => {
    const { servers } = await started({
      files: { command: ['node', FILESYSTEM, workspaceDir], sandbox: true, read_only: [NODE_MODULES] },
    });
    expect(servers.status()[0]).toMatchObject({ state: 'failed', sandboxed: true });
    expect(servers.status()[0]?.lastError).toContain('bubblewrap');
  });

  // On a machine without a working bubblewrap this fails rather than passing vacuously: CI installs it.
  it('does not reach a host folder outside the workspace, and writes inside it', async () => {
    expect(bwrapPath, `bubblewrap must work here: ${isolation.reason}`).toBeDefined();
    const outside = join(dir, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.txt'), 'host secret');
    const readSecret = async (sandbox: boolean) => {
      // Allowed folder "/": the server's own checks let everything through; only the sandbox stops it.
      const { servers } = await started(
        { files: { command: ['node', FILESYSTEM, '/'], sandbox, read_only: [NODE_MODULES] } },
        { ...(bwrapPath ? { bwrapPath } : {}) },
      );
      expect(servers.status()[0]?.state).toBe('ready');
      return {
        servers,
        result: await toolOf(servers, 'files__read_text_file').run(
          { path: join(outside, 'secret.txt') },
          context(),
        ),
      };
    };
    const control = await readSecret(false);
    expect(control.result).toMatchObject({ ok: true, output: 'host secret' });
    const boxed = await readSecret(true);
    expect(boxed.result.ok).toBe(false);
    expect(boxed.result.output).not.toContain('host secret');
    const write = await toolOf(boxed.servers, 'files__write_file').run(
      { path: join(workspaceDir, 'from-the-box.txt'), content: 'written inside' },
      context(),
    );
    expect(write.ok).toBe(true);
  });
});
