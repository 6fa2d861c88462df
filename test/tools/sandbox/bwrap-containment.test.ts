/**
 * What the bubblewrap tier contains, proved from inside: each test runs a real command under
 * `bwrap` in a workspace that sits in a host folder next to a `data/admin-token` and a plain file,
 * outside `/tmp`, and checks what the command could see, read, write and reach.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSandboxed } from '../../../src/tools/sandbox/runner.js';
import { detectIsolation } from '../../../src/tools/sandbox/tier.js';
import { makeHostFolder } from '../fake-context.js';

const isolation = await detectIsolation();
const works = isolation.tier === 'bwrap';
const PROJECT = resolve(import.meta.dirname, '../../..');
/** Host paths the sandbox must not show (those that exist here, less the test's own host folder's parents). */
const HOST_ONLY = [join(PROJECT, 'package.json'), '/root', '/home', '/var/lib', '/srv', '/opt', '/mnt'];

let host: Awaited<ReturnType<typeof makeHostFolder>>;
beforeEach(async () => {
  host = await makeHostFolder();
});
afterEach(() => host.cleanup());

/** Runs `command` under the detected bubblewrap (the tests below are skipped without one). */
const run = (command: string) =>
  runSandboxed({
    command,
    cwd: host.workspace,
    timeoutMs: 10_000,
    maxOutputBytes: 64 * 1024,
    isolation: { tier: 'bwrap', bwrapPath: isolation.tier === 'bwrap' ? isolation.bwrapPath : 'bwrap' },
  });

describe.skipIf(!works)(`the bubblewrap tier${works ? '' : ` (skipped: ${isolation.reason})`}`, () => {
  it('starts in the workspace, which is writable and is HOME', async () => {
    const result = await run('pwd; echo "$HOME"; echo hi > inside.txt && cat inside.txt');
    expect(result.output).toBe(`${host.workspace}\n${host.workspace}\nhi\n`);
    expect(existsSync(join(host.workspace, 'inside.txt'))).toBe(true);
  });

  it('cd .. from the workspace reaches an empty folder: the file next to the workspace is neither listed nor readable', async () => {
    const result = await run('cd .. && pwd && ls -A && cat host-only.txt; echo "cat=$?"');
    const lines = result.output.trim().split('\n');
    expect(lines[0]).toBe(host.base);
    expect(result.output).not.toContain('host-only.txt\n');
    expect(result.output).not.toContain('next to the workspace');
    expect(lines.at(-1)).toMatch(/^cat=[1-9]/);
  });

  it('reading the admin-token in the data folder next to the workspace fails', async () => {
    const result = await run(`cat ../data/admin-token; cat ${host.adminToken}; echo "cat=$?"`);
    expect(result.output).not.toContain('admin-token-secret');
    expect(result.output).toMatch(/No such file or directory/);
    expect(result.output.trim().split('\n').at(-1)).toMatch(/^cat=[1-9]/);
  });

  it('writing outside the workspace fails with a read-only file system and nothing appears on the host', async () => {
    const targets = [
      join(host.base, 'escape.txt'),
      join(host.base, 'data', 'escape.txt'),
      '/etc/sbx-escape',
      '/sbx-escape',
    ];
    const result = await run(targets.map((t) => `echo x > ${t}; echo "rc=$?"`).join('; '));
    expect(result.output.match(/rc=[1-9]/g)).toHaveLength(targets.length);
    expect(result.output).toMatch(/Read-only file system/);
    for (const target of targets) expect(existsSync(target)).toBe(false);
  });

  describe('with a server listening on the host at 127.0.0.1', () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections++;
        socket.end('hello from the host\n');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('a TCP connection to it fails and the server sees no connection', async () => {
      const python = `import socket; s = socket.create_connection(('127.0.0.1', ${port}), 2); print('connected', s.recv(100))`;
      const result = await run(
        `if command -v python3 >/dev/null; then python3 -c "${python}"; ` +
          `elif command -v bash >/dev/null; then bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected && cat <&3'; ` +
          `else echo "no client to test with"; fi; echo "rc=$?"`,
      );
      expect(result.output).not.toContain('no client to test with');
      expect(result.output).not.toContain('connected');
      expect(result.output).not.toContain('hello from the host');
      expect(result.output).toMatch(/rc=[1-9]/);
      await new Promise((r) => setTimeout(r, 100));
      expect(connections).toBe(0);
    });
  });

  it('shows only the system folders at the root, only allow-listed files in /etc, and neither the project nor home folders', async () => {
    const hostOnly = HOST_ONLY.filter((p) => existsSync(p) && !host.base.startsWith(`${p}/`));
    expect(hostOnly).toContain(join(PROJECT, 'package.json'));
    const result = await run(
      `ls -A /; echo ---; ls -A /etc; echo ---; ls ${hostOnly.join(' ')} 2>&1 | grep -c "No such file"`,
    );
    const [root, etc, missing] = result.output.split('---\n').map((part) => part.trim().split('\n'));
    const topOfWorkspace = host.base.split('/')[1]!;
    const allowedRoot = [
      'usr',
      'bin',
      'sbin',
      'lib',
      'lib32',
      'lib64',
      'libx32',
      'etc',
      'tmp',
      'proc',
      'dev',
      topOfWorkspace,
    ];
    expect(root?.filter((name) => !allowedRoot.includes(name))).toEqual([]);
    expect(etc).not.toContain('shadow');
    expect(etc).not.toContain('environment');
    expect(etc).not.toContain('hostname');
    expect(etc?.length).toBeLessThanOrEqual(25);
    expect(missing).toEqual([String(hostOnly.length)]);
  });

  it('a command started by root runs with no capabilities', async () => {
    const result = await run('grep -E "^Cap(Eff|Prm|Bnd):" /proc/self/status');
    expect(result.output.trim().split('\n')).toEqual([
      expect.stringMatching(/^CapPrm:\s+0+$/),
      expect.stringMatching(/^CapEff:\s+0+$/),
      expect.stringMatching(/^CapBnd:\s+0+$/),
    ]);
  });

  it('common tools still work: coreutils, /etc/passwd lookups and an interpreter when installed', async () => {
    const result = await run(
      'echo a,b | cut -d, -f2; id -un; if command -v python3 >/dev/null; then python3 -c "print(6*7)"; else echo 42; fi',
    );
    expect(result.exitCode).toBe(0);
    expect(result.output.trim().split('\n')).toEqual(['b', expect.any(String), '42']);
  });
});
