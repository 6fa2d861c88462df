import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');

const run = (args: string[], env: Record<string, string> = {}) => {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, out: result.stdout + result.stderr };
};

describe('the switchboard command', () => {
  it('policy check passes on the shipped policies', () => {
    const { code, out } = run(['policy', 'check']);
    expect(code).toBe(0);
    expect(out).toMatch(/ok: \d+ policies valid/);
  });

  it('policy check exits non-zero and names file and line for a broken policy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    cpSync(join(ROOT, 'config/policies'), join(dir, 'policies'), { recursive: true });
    writeFileSync(
      join(dir, 'policies', 'broken.cedar'),
      'permit (\n  principal,\n  action == Switchboard::Action::"fly",\n  resource\n);\n',
    );
    const config = join(dir, 'switchboard.yaml');
    writeFileSync(config, `policy:\n  dir: ${join(dir, 'policies')}\n`);
    const { code, out } = run(['policy', 'check'], { SWITCHBOARD_CONFIG: config });
    expect(code).toBe(1);
    expect(out).toContain('broken.cedar:');
  });

  it('policy explain gives the three-way tool decision and the deciding policy', () => {
    const ask = run([
      'policy',
      'explain',
      '--principal',
      'console:bob',
      '--action',
      'call_tool',
      '--tool',
      'shell_exec',
    ]);
    expect(ask.code).toBe(0);
    expect(ask.out).toContain('decision: ask');
    expect(ask.out).toContain('members-request-tools');
    const deny = run(['policy', 'explain', '--principal', 'discord:1', '--action', 'chat']);
    expect(deny.out).toContain('decision: deny');
  });

  it('start runs the daemon and stops it cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-start-'));
    const child = spawn(process.execPath, [CLI, 'start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_HTTP_PORT: '0' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!out.includes('switchboard ready on')) {
      if (Date.now() > deadline) throw new Error(`not ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('an unknown command is a usage error', () => {
    const { code, out } = run(['frobnicate']);
    expect(code).toBe(2);
    expect(out).toContain('unknown command');
  });

  it('a client command without a daemon says how to fix it', () => {
    const { code, out } = run(['runs'], {
      SWITCHBOARD_ADMIN_TOKEN: 'x'.repeat(20),
      SWITCHBOARD_HTTP_PORT: '1',
    });
    expect(code).toBe(1);
    expect(out).toMatch(/cannot reach the daemon.*npm start/);
  });
});
