/**
 * MCP call overhead: `echo` on `@modelcontextprotocol/server-everything` over stdio, called with
 * the SDK client directly (the baseline) and through Switchboard's MCP tool (schema check,
 * server state, result mapping), in alternating chunks so both share the same machine weather.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { pino } from 'pino';
import { mcpServersSchema } from '../src/config/mcp-schema.js';
import { McpServers } from '../src/tools/mcp/servers.js';
import type { ToolContext } from '../src/tools/tool.js';

/** Options of `benchMcp`; the defaults keep it around 4 s. */
export interface McpBenchOptions {
  /** Calls per contender. */
  calls?: number;
  warmup?: number;
}

const EVERYTHING = join(process.cwd(), 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

interface Tally {
  calls: number;
  wallMs: number;
  cpuUs: number;
}

async function measure(
  contenders: (() => Promise<unknown>)[],
  calls: number,
  warmup: number,
): Promise<Tally[]> {
  for (const call of contenders) for (let i = 0; i < warmup; i++) await call();
  const tallies = contenders.map(() => ({ calls: 0, wallMs: 0, cpuUs: 0 }));
  while ((tallies[0]?.calls ?? calls) < calls) {
    for (const [index, call] of contenders.entries()) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < 50; i++) await call();
      const tally = tallies[index]!;
      tally.wallMs += performance.now() - start;
      const used = process.cpuUsage(cpu);
      tally.cpuUs += used.user + used.system;
      tally.calls += 50;
    }
  }
  return tallies;
}

/** The MCP overhead figures, as JSON lines. */
export async function benchMcp(options: McpBenchOptions = {}): Promise<Record<string, unknown>[]> {
  const calls = options.calls ?? 2000;
  const warmup = options.warmup ?? 100;
  const direct = new Client({ name: 'bench', version: '1' });
  await direct.connect(
    new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }),
  );
  const servers = new McpServers(
    mcpServersSchema.parse({ every: { command: [process.execPath, EVERYTHING, 'stdio'] } }),
    {
      env: {},
      workspaceDir: process.cwd(),
      bwrapPath: undefined,
      logger: pino({ level: 'silent' }),
    },
  );
  servers.start();
  await servers.settled(30_000);
  try {
    const echo = servers.tools().find((tool) => tool.name === 'every__echo');
    if (!echo) throw new Error(`server-everything did not start: ${JSON.stringify(servers.status())}`);
    const ctx: ToolContext = {
      runId: 'bench',
      sessionId: 'bench',
      principal: 'console:bench',
      workspaceDir: process.cwd(),
      signal: new AbortController().signal,
    };
    const args = { message: 'bench' };
    const [sdk, ours] = await measure(
      [
        () => direct.callTool({ name: 'echo', arguments: args }),
        async () => {
          const invalid = echo.checkArgs?.(args);
          if (invalid) throw new Error(invalid);
          return echo.run(args, ctx);
        },
      ],
      calls,
      warmup,
    );
    const per = (t: Tally) => ({
      calls: t.calls,
      us_per_call: Math.round((t.wallMs * 1000) / t.calls),
      cpu_us_per_call: Math.round(t.cpuUs / t.calls),
    });
    const a = per(sdk!);
    const b = per(ours!);
    return [
      { bench: 'mcp_call', impl: 'sdk_client_direct', ...a },
      { bench: 'mcp_call', impl: 'switchboard_mcp_tool', ...b },
      {
        bench: 'mcp_call',
        impl: 'switchboard_vs_sdk',
        added_us_per_call: b.us_per_call - a.us_per_call,
        added_cpu_us_per_call: b.cpu_us_per_call - a.cpu_us_per_call,
        ratio: Number((b.us_per_call / a.us_per_call).toFixed(3)),
      },
    ];
  } finally {
    await servers.stop();
    await direct.close();
  }
}
