import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { createShellExecTool, type ShellExecOptions } from '../../../src/tools/builtins/shell-exec.js';
import type { RunIsolation } from '../../../src/tools/sandbox/runner.js';
import { detectIsolation } from '../../../src/tools/sandbox/tier.js';
import { fakeContext, makeWorkspace } from '../fake-context.js';

// The tool's own behaviour, under the tier the daemon would pick here (bubblewrap where it works).
const detected = await detectIsolation();
const isolation: RunIsolation =
  detected.tier === 'bwrap' ? { tier: 'bwrap', bwrapPath: detected.bwrapPath } : { tier: 'process-group' };
const shell = (options: Omit<ShellExecOptions, 'isolation'>) =>
  createShellExecTool({ ...options, isolation });

describe(`shell_exec (on the ${isolation.tier} tier)`, () => {
  it('runs in the workspace and reports the exit code, not read-only', async () => {
    const { workspace, cleanup } = await makeWorkspace();
    try {
      const tool = shell({ workspaceDir: workspace, timeoutMs: 10_000, maxOutputBytes: 1024 });
      expect(tool.readOnly).toBe(false);
      const ok = await tool.run({ command: 'pwd' }, fakeContext(workspace));
      expect(ok).toMatchObject({ ok: true, output: `exit code: 0\n${workspace}\n` });
      const failed = await tool.run({ command: 'echo oops >&2; exit 3' }, fakeContext(workspace));
      expect(failed.ok).toBe(false);
      expect(failed.output).toBe('exit code: 3\noops\n');
      expect(failed.detail).toMatchObject({ exitCode: 3, truncated: false, tier: isolation.tier });
    } finally {
      await cleanup();
    }
  });

  it('says when the output was truncated or the time limit hit', async () => {
    const { workspace, cleanup } = await makeWorkspace();
    try {
      const tool = shell({ workspaceDir: workspace, timeoutMs: 300, maxOutputBytes: 10 });
      const long = await tool.run({ command: 'seq 1 1000' }, fakeContext(workspace));
      expect(long.output).toMatch(/\[output truncated at 10 bytes\]$/);
      const slow = await tool.run({ command: 'sleep 10' }, fakeContext(workspace));
      expect(slow.ok).toBe(false);
      expect(slow.output).toMatch(/^timed out after 300 ms/);
    } finally {
      await cleanup();
    }
  });

  it('is killed when the run is cancelled', async () => {
    const { workspace, cleanup } = await makeWorkspace();
    try {
      const tool = shell({ workspaceDir: workspace, timeoutMs: 30_000, maxOutputBytes: 1024 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const started = Date.now();
      const result = await tool.run({ command: 'sleep 30' }, fakeContext(workspace, controller.signal));
      expect(result.output).toMatch(/^cancelled/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await cleanup();
    }
  });

  it('validates its arguments with a clear message', async () => {
    const tool = shell({ workspaceDir: '/tmp', timeoutMs: 1000, maxOutputBytes: 10 });
    await expect(tool.run({ command: '' }, fakeContext('/tmp'))).rejects.toThrow(ValidationError);
    await expect(tool.run({ cmd: 'ls' }, fakeContext('/tmp'))).rejects.toThrow(
      /bad arguments for shell_exec/,
    );
  });
});
