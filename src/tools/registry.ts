/** The set of tools the orchestrator can offer to the model, by name. */
import { ValidationError } from '../core/errors.js';
import type { Tool } from './tool.js';

/** What the model is told about one tool (an OpenAI function definition without the wrapper). */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/**
 * Tools that come and go while the daemon runs (an MCP server's, found by `tools/list` and
 * changed by `notifications/tools/list_changed`). Read at every step, so a change is seen at once.
 */
export interface ToolSource {
  /** The tools offered now, each named uniquely (`<server>__<tool>`). */
  tools(): readonly Tool[];
}

/** OpenAI function names: letters, digits, `_` and `-`, at most 64. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether an agent's `tools` entry names `tool`: its exact name, or `prefix*` for every tool so named. */
export function toolNameMatches(entry: string, name: string): boolean {
  return entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name;
}

/**
 * Holds the built-in tools by name (registering a name twice is a programming error and throws)
 * and the dynamic sources beside them; a source's tool never shadows a built-in.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();
  private readonly sources: ToolSource[] = [];

  /** Adds `tool`; throws `ValidationError` on a duplicate or a name the model APIs reject. */
  register(tool: Tool): this {
    if (!TOOL_NAME.test(tool.name)) {
      throw new ValidationError(`tool name "${tool.name}" is invalid: use 1-64 letters, digits, "_" or "-"`);
    }
    if (this.tools.has(tool.name)) {
      throw new ValidationError(
        `a tool named "${tool.name}" is already registered; tool names must be unique`,
      );
    }
    this.tools.set(tool.name, tool);
    return this;
  }

  /** Adds a source of tools that may change over time. */
  addSource(source: ToolSource): this {
    this.sources.push(source);
    return this;
  }

  /** The tool called `name`, or undefined. */
  get(name: string): Tool | undefined {
    const builtin = this.tools.get(name);
    if (builtin) return builtin;
    for (const source of this.sources) {
      const found = source.tools().find((tool) => tool.name === name);
      if (found) return found;
    }
    return undefined;
  }

  /** True when a tool called `name` exists now. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every tool offered now: the built-ins in registration order, then each source's. */
  list(): Tool[] {
    const builtins = [...this.tools.values()];
    const fromSources = this.sources.flatMap((source) =>
      source.tools().filter((tool) => !this.tools.has(tool.name) && TOOL_NAME.test(tool.name)),
    );
    return [...builtins, ...fromSources];
  }

  /**
   * The tools `entries` name (an agent's `tools`: exact names, or `prefix*`), in the order of the
   * entries, each once. Names that do not exist now are skipped (a source may be down).
   */
  select(entries: readonly string[]): Tool[] {
    const all = this.list();
    const chosen = new Map<string, Tool>();
    for (const entry of entries) {
      for (const tool of all)
        if (toolNameMatches(entry, tool.name) && !chosen.has(tool.name)) chosen.set(tool.name, tool);
    }
    return [...chosen.values()];
  }

  /** Whether `entries` (an agent's `tools`) allow the tool called `name`. */
  static allows(entries: readonly string[], name: string): boolean {
    return entries.some((entry) => toolNameMatches(entry, name));
  }

  /** Specs for the model: every tool, or those `entries` select (see `select`). */
  specs(entries?: readonly string[]): ToolSpec[] {
    const chosen = entries === undefined ? this.list() : this.select(entries);
    return chosen.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  }
}
