/**
 * Real daemon processes for scenario tests.
 *
 * Working directory: each daemon runs in its own work folder, `<dataDir>.cwd`, holding a `config`
 * link to the repository's `config/` (so the default `config/...` paths resolve as in the
 * repository) and the daemon's default workspace, `<dataDir>.cwd/workspace` — next to the data
 * folder, never inside it (the daemon refuses that) and never in the repository.
 *
 * Sandbox: `shell_exec` exists only under a working bubblewrap (CI installs it). Only where
 * bubblewrap does not work here (detected once per test process), the harness starts the daemon
 * with a copy of its config that adds `tools.sandbox.allow_unisolated: true`, so scenarios that run
 * `shell_exec` still run, uncontained; it says so once on stderr. Where bubblewrap works the
 * config is passed through untouched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { detectIsolation } from '../../src/tools/sandbox/tier.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/main.js');

/** The daemon's working directory for `dataDir` (see the file comment), created on first use. */
function workFolderFor(dataDir: string): string {
  const cwd = `${dataDir}.cwd`;
  if (!existsSync(join(cwd, 'config'))) {
    mkdirSync(cwd, { recursive: true });
    symlinkSync(join(ROOT, 'config'), join(cwd, 'config'));
  }
  return cwd;
}

let warnedUnisolated = false;

/**
 * The `SWITCHBOARD_CONFIG` to start with: `configPath` itself where bubblewrap works; otherwise a
 * copy beside it (or, for the default config, in the work folder) with
 * `tools.sandbox.allow_unisolated: true`.
 */
async function configForThisMachine(
  configPath: string | undefined,
  cwd: string,
): Promise<string | undefined> {
  const isolation = await detectIsolation();
  if (isolation.tier === 'bwrap') return configPath;
  if (!warnedUnisolated) {
    warnedUnisolated = true;
    process.stderr.write(
      `test daemons run shell_exec UNISOLATED (tools.sandbox.allow_unisolated): ${isolation.reason}\n`,
    );
  }
  const source = configPath ?? join(ROOT, 'config/switchboard.yaml');
  const config = (parse(readFileSync(source, 'utf8')) ?? {}) as { tools?: { sandbox?: object } };
  config.tools = { ...config.tools, sandbox: { ...config.tools?.sandbox, allow_unisolated: true } };
  const copy =
    configPath === undefined ? join(cwd, 'switchboard.unisolated.yaml') : `${configPath}.unisolated.yaml`;
  writeFileSync(copy, stringify(config));
  return copy;
}

/** A daemon started as a real process, driven only over HTTP. */
export interface DaemonProcess {
  url: string;
  token: string;
  dataDir: string;
  /** The daemon's workspace (`shell_exec`'s working folder, file tools' root). */
  workspaceDir: string;
  process: ChildProcess;
  /** Everything the process wrote to stdout and stderr. */
  output(): string;
  /** Calls the API with the admin token; returns status and parsed JSON. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** Polls a run until `predicate` holds (default: a terminal state). */
  waitForRun(
    runId: string,
    predicate?: (run: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/** Options of `startDaemonProcess`. */
export interface DaemonProcessOptions {
  env?: Record<string, string>;
  /** Reuse a data folder (restart scenarios); a new temp folder otherwise. */
  dataDir?: string;
}

/** Makes a fresh temp data folder that is removed, with its daemons' work folder, by `cleanup`. */
export function tempDataDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-e2e-'));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.cwd`, { recursive: true, force: true });
    },
  };
}

/** Starts `node dist/src/main.js` on a free port and resolves when it says it is ready. */
export async function startDaemonProcess(options: DaemonProcessOptions = {}): Promise<DaemonProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sb-e2e-'));
  const token = 'test-admin-token-0123456789';
  const cwd = workFolderFor(dataDir);
  const configPath = await configForThisMachine(options.env?.SWITCHBOARD_CONFIG, cwd);
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_HTTP_PORT: '0',
      SWITCHBOARD_ADMIN_TOKEN: token,
      SWITCHBOARD_LOG_LEVEL: 'info',
      ...options.env,
      ...(configPath !== undefined ? { SWITCHBOARD_CONFIG: configPath } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start in 15 s:\n${output}`)), 15_000);
    const onData = () => {
      const match = /switchboard ready on (http:\/\/[^"\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before it was ready:\n${output}`));
    });
  });

  const api: DaemonProcess['api'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: response.status, body: parsed as never };
  };

  const waitForRun: DaemonProcess['waitForRun'] = async (runId, predicate, timeoutMs = 10_000) => {
    const done = predicate ?? ((run) => ['succeeded', 'failed', 'cancelled'].includes(String(run.state)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await api('GET', `/v1/runs/${runId}`);
      if (done(body)) return body;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} did not reach the expected state: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return {
    url,
    token,
    dataDir,
    workspaceDir: join(cwd, 'workspace'),
    process: child,
    output: () => output,
    api,
    waitForRun,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}

/** Runs the daemon expecting it to refuse to start; resolves with exit code and output. */
export async function expectStartFailure(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const scratch = mkdtempSync(join(tmpdir(), 'sb-e2e-fail-'));
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
    cwd: workFolderFor(scratch),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SWITCHBOARD_HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearTimeout(timer);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(`${scratch}.cwd`, { recursive: true, force: true });
  return { code, output };
}
