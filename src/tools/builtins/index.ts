/** The built-in tools, created together from the `tools:` config section. */
import type { SandboxDecision } from '../sandbox/decision.js';
import type { Tool } from '../tool.js';
import { createCurrentTimeTool } from './current-time.js';
import { createFileReadTool } from './file-read.js';
import { createFileWriteTool } from './file-write.js';
import { createHttpFetchTool } from './http-fetch.js';
import { createSendFileTool } from './send-file.js';
import { createShellExecTool } from './shell-exec.js';

/** Settings of the built-in tools (the validated `tools:` config section, in milliseconds and bytes). */
export interface BuiltinToolsOptions {
  /** Folder file tools and the sandbox are confined to when a run names none. */
  workspaceDir: string;
  /** Time limit of one `shell_exec`. */
  timeoutMs: number;
  /** Output cap of `shell_exec` and `file_read`. */
  maxOutputBytes: number;
  httpFetch: { allowPrivate: boolean; maxBytes: number; timeoutMs: number };
  /** Whether tools that spawn processes exist, and how they run (`decideSandbox`). */
  sandbox: SandboxDecision;
  /** Largest content `file_write` accepts; 1 MiB by default. */
  maxWriteBytes?: number;
  /** Structured logger (pino-style `log(obj, msg)`); gets one line per call, never arguments' content. */
  log?: (obj: object, msg: string) => void;
}

/** Wraps a tool so each call is logged with its outcome and duration (not its arguments). */
function logged(tool: Tool, log: (obj: object, msg: string) => void): Tool {
  return {
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    readOnly: tool.readOnly,
    async run(args, ctx) {
      const started = performance.now();
      const base = { tool: tool.name, runId: ctx.runId };
      try {
        const result = await tool.run(args, ctx);
        log(
          { ...base, ok: result.ok, durationMs: Math.round(performance.now() - started) },
          'tool call finished',
        );
        return result;
      } catch (err) {
        const code = err instanceof Error && 'code' in err ? String(err.code) : 'error';
        log(
          { ...base, ok: false, error: code, durationMs: Math.round(performance.now() - started) },
          'tool call failed',
        );
        throw err;
      }
    },
  };
}

/**
 * Creates `current_time`, `file_read`, `file_write`, `http_fetch` and — only when the sandbox
 * decision turned shell tools on — `shell_exec`; otherwise the model is never offered it.
 */
export function createBuiltinTools(options: BuiltinToolsOptions): Tool[] {
  const { sandbox } = options;
  const tools = [
    createCurrentTimeTool(),
    createFileReadTool({ workspaceDir: options.workspaceDir, maxBytes: options.maxOutputBytes }),
    createFileWriteTool({
      workspaceDir: options.workspaceDir,
      maxBytes: options.maxWriteBytes ?? 1024 * 1024,
    }),
    ...(sandbox.shell === 'on'
      ? [
          createShellExecTool({
            workspaceDir: options.workspaceDir,
            timeoutMs: options.timeoutMs,
            maxOutputBytes: options.maxOutputBytes,
            isolation: sandbox.isolation,
          }),
        ]
      : []),
    createHttpFetchTool(options.httpFetch),
    createSendFileTool({ workspaceDir: options.workspaceDir }),
  ];
  const { log } = options;
  return log === undefined ? tools : tools.map((t) => logged(t, log));
}
