/**
 * What the policy sees of a tool: the attributes of the `Tool` entity. MCP servers annotate their
 * tools with the same four facts (`readOnlyHint`, `destructiveHint`, `idempotentHint`,
 * `openWorldHint`); they are hints, not guarantees, which is why the default policy asks a human
 * for every MCP tool whatever it claims.
 */

/** The annotations beyond `readOnly`. */
export interface ToolHints {
  /** It may delete or overwrite (only meaningful when not read-only). */
  destructive: boolean;
  /** Calling it twice with the same arguments does no more than once. */
  idempotent: boolean;
  /** It reaches beyond the daemon's host (the web, other services). */
  openWorld: boolean;
}

/** Every attribute of a `Tool` entity. */
export interface ToolTraits extends ToolHints {
  /** `builtin`, or `mcp:<server>` for a tool of an MCP server. */
  source: string;
  readOnly: boolean;
}

/** A tool as far as its traits go; everything but `readOnly` may be left out. */
export interface ToolTraitsInput {
  readOnly: boolean;
  source?: string | undefined;
  hints?: Partial<ToolHints> | undefined;
}

/**
 * The traits of a tool, defaults filled in: source `builtin`; destructive unless read-only,
 * idempotent only when read-only, closed-world unless it says otherwise.
 */
export function toolTraits(tool: ToolTraitsInput): ToolTraits {
  return {
    source: tool.source ?? 'builtin',
    readOnly: tool.readOnly,
    destructive: tool.hints?.destructive ?? !tool.readOnly,
    idempotent: tool.hints?.idempotent ?? tool.readOnly,
    openWorld: tool.hints?.openWorld ?? false,
  };
}

/** The Cedar attributes of a `Tool` entity with `traits`. */
export function toolEntityAttrs(traits: ToolTraits): Record<string, string | boolean> {
  return {
    source: traits.source,
    read_only: traits.readOnly,
    destructive: traits.destructive,
    idempotent: traits.idempotent,
    open_world: traits.openWorld,
  };
}
