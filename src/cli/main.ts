#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NODE_FLAGS } from '../node-flags.js';
import { chat } from './chat.js';
import { ApiClient } from './client.js';
import { mcpCommand } from './mcp.js';
import { policyCommand } from './policy.js';

const USAGE = `usage: switchboard <command>

  start                         run the daemon (same as npm start)
  chat [--session KEY]          talk to the running daemon from the terminal
  policy check                  validate config/schema.cedarschema and config/policies/*.cedar
  policy explain --principal P --action A [--tool T [--read-only] [--source S]]
                                show the decision and the policies that made it
  runs [--state S] [--limit N]  list runs
  approvals [list|show ID|approve ID|deny ID]
                                pending approvals and decisions
  usage [--principal P] [--days N]
                                token usage per principal per day
  mcp list                      the MCP servers, their state, calls and restarts
  mcp tools SERVER              the tools one MCP server offers
  backup FILE                   a consistent copy of the SQLite journal and memory while the
                                daemon runs (PostgreSQL: use pg_dump)
  journal migrate --to URL [--from FILE]
                                copy the SQLite journal (SWITCHBOARD_DATA_DIR) into an
                                empty PostgreSQL database, ids and tape as they are

Environment: SWITCHBOARD_URL (or SWITCHBOARD_HTTP_HOST/PORT) and SWITCHBOARD_ADMIN_TOKEN
(default: read from SWITCHBOARD_DATA_DIR/admin-token).`;

/** The `switchboard` command. Returns the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startDaemonProcess();
    case 'chat': {
      const { values } = parseArgs({
        args: rest,
        options: { session: { type: 'string' }, principal: { type: 'string' } },
      });
      await chat(ApiClient.fromEnvironment(), {
        ...(values.session ? { session: values.session } : {}),
        ...(values.principal ? { principal: values.principal } : {}),
      });
      return 0;
    }
    case 'policy':
      return policyCommand(rest);
    case 'backup':
      return (await import('./backup.js')).backupCommand(rest);
    case 'journal': {
      // Loaded on demand: only this command needs the PostgreSQL client.
      const { journalCommand } = await import('./journal-migrate.js');
      return journalCommand(rest);
    }
    case 'runs': {
      const { values } = parseArgs({
        args: rest,
        options: { state: { type: 'string' }, limit: { type: 'string' } },
      });
      const query = new URLSearchParams({
        limit: values.limit ?? '20',
        ...(values.state ? { state: values.state } : {}),
      });
      const { runs } = await ApiClient.fromEnvironment().request<{ runs: Record<string, unknown>[] }>(
        'GET',
        `/v1/runs?${query}`,
      );
      for (const r of runs)
        print(`${r.id}  ${String(r.state).padEnd(9)}  ${r.principal}  ${String(r.text).slice(0, 60)}`);
      return 0;
    }
    case 'approvals':
      return approvalsCommand(rest);
    case 'mcp':
      return mcpCommand(rest, ApiClient.fromEnvironment(), print);
    case 'usage': {
      const { values } = parseArgs({
        args: rest,
        options: { principal: { type: 'string' }, days: { type: 'string' } },
      });
      const since = Date.now() - Number(values.days ?? '7') * 86_400_000;
      const query = new URLSearchParams({
        since: String(since),
        bucket: 'day',
        ...(values.principal ? { principal: values.principal } : {}),
      });
      const usage = await ApiClient.fromEnvironment().request<{
        rows: Record<string, unknown>[];
        totals: Record<string, number>;
      }>('GET', `/v1/usage?${query}`);
      for (const r of usage.rows) {
        print(
          `${new Date(Number(r.bucket_start)).toISOString().slice(0, 10)}  ${r.principal}  ${r.total_tokens} tokens  ${r.runs} runs  ${r.tool_executions} tools`,
        );
      }
      print(`total: ${usage.totals.total_tokens} tokens, ${usage.totals.runs} runs`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      print(USAGE);
      return 0;
    default:
      process.stderr.write(`switchboard: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

async function approvalsCommand(args: string[]): Promise<number> {
  const client = ApiClient.fromEnvironment();
  const [sub = 'list', id] = args;
  if (sub === 'list') {
    const { approvals } = await client.request<{ approvals: Record<string, unknown>[] }>(
      'GET',
      '/v1/approvals?state=pending',
    );
    if (approvals.length === 0) print('no pending approvals');
    for (const a of approvals)
      print(`${a.id}  ${a.tool}  by ${a.requester}  expires ${new Date(Number(a.expires_at)).toISOString()}`);
    return 0;
  }
  if (!id) {
    process.stderr.write(`switchboard approvals ${sub}: give the approval id\n`);
    return 2;
  }
  if (sub === 'show') {
    print(JSON.stringify(await client.request('GET', `/v1/approvals/${id}`), null, 2));
    return 0;
  }
  if (sub === 'approve' || sub === 'deny') {
    const decided = await client.request<{ state: string }>('POST', `/v1/approvals/${id}/decision`, {
      decision: sub,
    });
    print(`${id}: ${decided.state}`);
    return 0;
  }
  process.stderr.write(`switchboard approvals: unknown sub-command "${sub}" (list, show, approve, deny)\n`);
  return 2;
}

/**
 * `switchboard start`: runs the daemon (`dist/src/main.js`) in a child Node with the daemon's V8
 * flags (see `node-flags.ts`), passing signals on and exiting with its code, as `npm start` does.
 */
function startDaemonProcess(): Promise<number> {
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  const child = spawn(process.execPath, [...NODE_FLAGS, main], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`switchboard: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
