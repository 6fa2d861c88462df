/**
 * One tool of an MCP server as a daemon tool: the model sees `<server>__<tool>` with the server's
 * JSON schema, the policy sees `Tool::"<server>__<tool>"` with `source: "mcp:<server>"` and the
 * server's annotations (MCP's defaults where it gives none), and the arguments are checked
 * against the schema before the policy is asked.
 */
import { createHash } from 'node:crypto';
import type { Tool as McpToolInfo } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { ToolHints } from '../../policy/tool-traits.js';
import type { Tool, ToolContext, ToolResult } from '../tool.js';

/** What a tool needs of its server. */
export interface McpCaller {
  call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult>;
}

/** One validator compiler for every MCP tool's schema (Ajv, as the SDK itself uses). */
const validators = new AjvJsonSchemaValidator();

/** OpenAI function names: letters, digits, `_` and `-`, at most 64. */
const MAX_NAME = 64;

/**
 * The daemon name of `tool` of `server`: `<server>__<tool>`, characters the model APIs refuse
 * replaced by `_`, and a name too long cut with a short hash, so it stays unique and stable.
 */
export function mcpToolName(server: string, tool: string): string {
  const name = `${server}__${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(tool).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9)}_${hash}`;
}

/** MCP's defaults for absent annotations: not read-only, destructive, not idempotent, open world. */
function hintsOf(info: McpToolInfo): { readOnly: boolean; hints: ToolHints } {
  const a = info.annotations ?? {};
  return {
    readOnly: a.readOnlyHint === true,
    hints: {
      destructive: a.destructiveHint ?? true,
      idempotent: a.idempotentHint ?? false,
      openWorld: a.openWorldHint ?? true,
    },
  };
}

/** A tool of an MCP server. */
export class McpTool implements Tool {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  readonly readOnly: boolean;
  readonly source: string;
  readonly hints: ToolHints;
  /** The tool's own name on its server. */
  readonly mcpName: string;
  private validator: JsonSchemaValidator<unknown> | undefined;

  constructor(
    readonly server: string,
    info: McpToolInfo,
    private readonly caller: McpCaller,
  ) {
    this.name = mcpToolName(server, info.name);
    this.mcpName = info.name;
    const title = info.title ?? info.annotations?.title;
    this.description = `${info.description ?? title ?? info.name} (MCP server "${server}")`;
    this.parameters = { type: 'object', ...(info.inputSchema as Record<string, unknown>) };
    this.source = `mcp:${server}`;
    const { readOnly, hints } = hintsOf(info);
    this.readOnly = readOnly;
    this.hints = hints;
  }

  /** Checks `args` against the server's input schema; a message when they do not fit. */
  checkArgs(args: unknown): string | undefined {
    if (typeof args !== 'object' || args === null || Array.isArray(args))
      return 'the arguments must be a JSON object';
    this.validator ??= validators.getValidator(this.parameters as never);
    const verdict = this.validator(args);
    return verdict.valid ? undefined : verdict.errorMessage;
  }

  run(args: unknown, ctx: ToolContext): Promise<ToolResult> {
    return this.caller.call(this.mcpName, (args ?? {}) as Record<string, unknown>, ctx.signal);
  }
}
