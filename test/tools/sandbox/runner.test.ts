/**
 * What the runner does on each tier — exit codes, output caps, time limits, cancel, killing every
 * child — run under the process-group tier always and under bubblewrap when it works here. What
 * bubblewrap contains is proved in bwrap-containment.test.ts; the process-group tier contains
 * nothing, and its own tests below say so.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunIsolation, runSandboxed, type SandboxOptions } from '../../../src/tools/sandbox/runner.js';
import { detectIsolation } from '../../../src/tools/sandbox/tier.js';
import { makeWorkspace } from '../fake-context.js';

const detected = await detectIsolation();
const tiers: RunIsolation[] =
  detected.tier === 'bwrap'
    ? [{ tier: 'process-group' }, { tier: 'bwrap', bwrapPath: detected.bwrapPath }]
    : [{ tier: 'process-group' }];

/** Live (not zombie) processes whose command line contains `marker`. */
function liveProcessesWith(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => line.includes(marker) && !/^\s*\d+\s+Z/.test(line) && !line.includes('ps -eo'));
}

let base: string;
let ws: string;
let cleanup: () => Promise<void>;
const savedSecret = process.env.SECRET_TOKEN;

beforeAll(() => {
  process.env.SECRET_TOKEN = 'sk-test-do-not-leak-4242';
});
afterAll(() => {
  if (savedSecret === undefined) delete process.env.SECRET_TOKEN;
  else process.env.SECRET_TOKEN = savedSecret;
});
beforeEach(async () => {
  ({ base, workspace: ws, cleanup } = await makeWorkspace());
});
afterEach(() => cleanup());

describe.each(tiers)('runSandboxed under the $tier tier', (isolation) => {
  const { tier } = isolation;
  const run = (command: string, over: Partial<SandboxOptions> = {}) =>
    runSandboxed({ command, cwd: ws, timeoutMs: 10_000, maxOutputBytes: 64 * 1024, isolation, ...over });

  /** A copy of `sleep` under a unique name, so `ps` can find every child it started. */
  async function markedSleep(): Promise<string> {
    const marker = `sbx-marker-${randomBytes(6).toString('hex')}`;
    await copyFile('/bin/sleep', join(ws, marker));
    execFileSync('chmod', ['+x', join(ws, marker)]);
    return marker;
  }

  it('reports the tier it ran under', async () => {
    expect((await run('true')).tier).toBe(tier);
  });

  it('reports the exit code and merges stderr into the output', async () => {
    const result = await run('echo out; echo err >&2; exit 7');
    expect(result.exitCode).toBe(7);
    expect(result.signal).toBeNull();
    expect(result.output).toBe('out\nerr\n');
    expect(result.truncated).toBe(false);
  });

  it('starts in the workspace with HOME there', async () => {
    const result = await run('pwd; echo "$HOME"');
    expect(result.output).toBe(`${ws}\n${ws}\n`);
  });

  it('env shows no secret from the daemon environment', async () => {
    const result = await run('env');
    expect(result.exitCode).toBe(0);
    expect(result.output).not.toContain('sk-test-do-not-leak-4242');
    expect(result.output).not.toContain('SECRET_TOKEN');
    const names = result.output
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0]);
    expect(names).not.toContain('OPENAI_API_KEY');
    expect(
      names.every((n) =>
        ['PATH', 'LANG', 'HOME', 'TMPDIR', 'PWD', 'OLDPWD', 'SHLVL', '_', 'SWITCHBOARD_SANDBOX_ID'].includes(
          n ?? '',
        ),
      ),
    ).toBe(true);
  });

  it('puts TMPDIR inside the sandbox', async () => {
    const result = await run('echo "$TMPDIR"');
    expect(result.output.trim()).toBe(tier === 'bwrap' ? '/tmp' : join(ws, '.tmp'));
  });

  it('an endless loop hits the time limit and is killed', async () => {
    const result = await run('while :; do :; done', { timeoutMs: 500 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeLessThan(4_000);
  });

  it('a command that keeps spawning background children is killed with no survivors', async () => {
    const marker = await markedSleep();
    // A bounded stand-in for a fork bomb: 20 children at once, then one every few ms until the
    // time limit. The first burst does not depend on how fast a loaded machine spawns.
    const result = await run(
      `for i in $(seq 20); do ./${marker} 30 & echo spawned; done; while true; do ./${marker} 30 & echo spawned; sleep 0.005; done`,
      { timeoutMs: 2_000 },
    );
    expect(result.timedOut).toBe(true);
    expect(result.cleanedUp).toBe(true);
    expect(result.output.split('\n').filter((l) => l === 'spawned').length).toBeGreaterThanOrEqual(20);
    expect(liveProcessesWith(marker)).toEqual([]);
  });

  it('a background child does not outlive a command that exited', async () => {
    const marker = await markedSleep();
    const result = await run(`./${marker} 30 & echo started`);
    expect(result.exitCode).toBe(0);
    expect(result.output).toBe('started\n');
    expect(liveProcessesWith(marker)).toEqual([]);
  });

  it('a child that leaves the process group with setsid is still killed', async () => {
    const marker = await markedSleep();
    const result = await run(`setsid ./${marker} 30 > /dev/null 2>&1 & sleep 0.2; echo done`);
    expect(result.output).toBe('done\n');
    expect(result.cleanedUp).toBe(true);
    expect(liveProcessesWith(marker)).toEqual([]);
  });

  it('10 MB of output is capped at the limit with truncated marked', async () => {
    const cap = 64 * 1024;
    const result = await run(`head -c 10485760 /dev/zero | tr '\\0' x; echo never-seen`, {
      maxOutputBytes: cap,
    });
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.output)).toBe(cap);
    expect(result.output).toBe('x'.repeat(cap));
    expect(result.durationMs).toBeLessThan(5_000);
  });

  it('cancel via AbortSignal kills the running command quickly', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await run('sleep 30', { signal: controller.signal });
    expect(result.cancelled).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBe('SIGKILL');
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('does not start a command whose signal is already aborted', async () => {
    const marker = await markedSleep();
    const result = await run(`./${marker} 30`, { signal: AbortSignal.abort() });
    expect(result.cancelled).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(liveProcessesWith(marker)).toEqual([]);
  });

  it('applies the file size limit', async () => {
    const result = await run('head -c 100000 /dev/zero > big.bin; echo "rc=$?"; wc -c < big.bin', {
      limits: { fileSizeBytes: 10 * 1024 },
    });
    expect(result.output).toMatch(/rc=[1-9]/);
    expect(result.output.trim().split('\n').at(-1)).toBe(String(10 * 1024));
  });
});

describe('the process-group tier (opt-in via tools.sandbox.allow_unisolated) is NOT contained', () => {
  const run = (command: string) =>
    runSandboxed({
      command,
      cwd: ws,
      timeoutMs: 10_000,
      maxOutputBytes: 64 * 1024,
      isolation: { tier: 'process-group' },
    });

  it('cd .. reaches the host folder next to the workspace and reads its files', async () => {
    await writeFile(join(base, 'host-only.txt'), 'next to the workspace');
    const result = await run('cd .. && pwd && cat host-only.txt');
    expect(result.output).toBe(`${base}\nnext to the workspace`);
  });

  it('writes outside the workspace land on the host', async () => {
    const result = await run(`echo x > ${join(base, 'outside.txt')} && echo wrote`);
    expect(result.output).toBe('wrote\n');
    expect(existsSync(join(base, 'outside.txt'))).toBe(true);
  });
});
