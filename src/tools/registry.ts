/** The set of tools the orchestrator can offer to the model, by name. */
import { ValidationError } from '../core/errors.js';
import type { Tool } from './tool.js';

/** What the model is told about one tool (an OpenAI function definition without the wrapper). */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** OpenAI function names: letters, digits, `_` and `-`, at most 64. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Holds tools by name; registering a name twice is a programming error and throws. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

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

  /** The tool called `name`, or undefined. */
  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  /** True when a tool called `name` is registered. */
  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** Every tool, in registration order. */
  list(): Tool[] {
    return [...this.tools.values()];
  }

  /**
   * Specs for the model: every tool, or those of `names` in that order. Names that are not
   * registered are skipped (an agent may list a tool whose source is disabled); `has` tells.
   */
  specs(names?: readonly string[]): ToolSpec[] {
    const chosen = names === undefined ? this.list() : names.flatMap((n) => this.tools.get(n) ?? []);
    return chosen.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  }
}
