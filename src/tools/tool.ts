import type { ToolHints } from '../policy/tool-traits.js';

export { type ToolHints, type ToolTraits, toolTraits } from '../policy/tool-traits.js';

/** What a tool needs to know about the run calling it. */
export interface ToolContext {
  runId: string;
  sessionId: string;
  principal: string;
  /** The folder file tools and the sandbox are confined to. */
  workspaceDir: string;
  /** Aborted on cancel or when the tool's time limit is hit. */
  signal: AbortSignal;
}

/** The result handed back to the model. `ok: false` is a tool error the model can react to. */
export interface ToolResult {
  ok: boolean;
  /** Text for the model (already capped to the tool output limit). */
  output: string;
  /** Structured detail for the tape (exit code, bytes, truncated…). */
  detail?: Record<string, unknown>;
}

/**
 * A tool the model may call. Sources are pluggable (built-ins, MCP servers); every call goes
 * through the same policy gate before `run`. `run` validates its own arguments and throws
 * `ValidationError` for bad ones; other throws are reported to the model as tool errors.
 */
export interface Tool {
  readonly name: string;
  readonly description: string;
  /** JSON schema of the arguments object. */
  readonly parameters: Record<string, unknown>;
  /** Read-only tools change nothing outside the daemon (the default policy lets members call them). */
  readonly readOnly: boolean;
  /** Where the tool comes from: `builtin` (the default) or `mcp:<server>`. */
  readonly source?: string;
  /** Annotations beyond `readOnly`; what is left out takes `toolTraits`' defaults. */
  readonly hints?: Partial<ToolHints>;
  /**
   * Checks the arguments before the policy is asked; a message says what is wrong. Tools whose
   * arguments come with a schema from elsewhere (MCP) check here, so a malformed call is refused
   * before anyone is asked to approve it.
   */
  checkArgs?(args: unknown): string | undefined;
  run(args: unknown, ctx: ToolContext): Promise<ToolResult>;
}
