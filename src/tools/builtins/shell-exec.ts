/**
 * `shell_exec {command}`: runs a shell command in the sandbox, in the workspace folder. It is
 * created only where `decideSandbox` turned shell tools on, with the tier it chose.
 */
import { mkdir } from 'node:fs/promises';
import { z } from 'zod';
import { type RunIsolation, runSandboxed, type SandboxResult } from '../sandbox/runner.js';
import type { Tool } from '../tool.js';
import { parseArgs } from './args.js';

const schema = z.strictObject({
  command: z.string().min(1, 'give a shell command').max(16_384, 'the command is too long (16 KiB at most)'),
});

/** Settings of `shell_exec`. */
export interface ShellExecOptions {
  /** Used when the run's context names no workspace. */
  workspaceDir: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** How every call runs: bubblewrap, or the uncontained process group the operator opted into. */
  isolation: RunIsolation;
}

/** The text the model sees: how the command ended, then its output. */
function describe(result: SandboxResult, options: ShellExecOptions): string {
  const how = result.timedOut
    ? `timed out after ${options.timeoutMs} ms; the process group was killed`
    : result.cancelled
      ? 'cancelled; the process group was killed'
      : result.exitCode !== null
        ? `exit code: ${result.exitCode}`
        : `killed by ${result.signal ?? 'a signal'}`;
  const cut = result.truncated ? `\n[output truncated at ${options.maxOutputBytes} bytes]` : '';
  return `${how}\n${result.output}${cut}`;
}

/** Creates the `shell_exec` tool (not read-only); every call runs through `runSandboxed`. */
export function createShellExecTool(options: ShellExecOptions): Tool {
  return {
    name: 'shell_exec',
    description: `Runs a command with /bin/sh in a sandbox whose working folder is the workspace. stdout and stderr are merged; at most ${options.maxOutputBytes} bytes and ${Math.round(options.timeoutMs / 1000)} s. No secrets are in the environment.`,
    parameters: {
      type: 'object',
      properties: { command: { type: 'string', description: 'Shell command line' } },
      required: ['command'],
      additionalProperties: false,
    },
    readOnly: false,
    async run(args, ctx) {
      const { command } = parseArgs('shell_exec', schema, args);
      const cwd = ctx.workspaceDir || options.workspaceDir;
      await mkdir(cwd, { recursive: true });
      const result = await runSandboxed({
        command,
        cwd,
        timeoutMs: options.timeoutMs,
        maxOutputBytes: options.maxOutputBytes,
        signal: ctx.signal,
        isolation: options.isolation,
      });
      const ok = result.exitCode === 0 && !result.timedOut && !result.cancelled;
      const { output: _output, ...detail } = result;
      return { ok, output: describe(result, options), detail: { ...detail } };
    },
  };
}
