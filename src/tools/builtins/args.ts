/** Argument validation shared by the built-in tools. */
import type { z } from 'zod';
import { ValidationError } from '../../core/errors.js';

/**
 * Parses `args` with `schema`, or throws `ValidationError` naming the tool, the argument and the
 * problem, so the model can correct its call.
 */
export function parseArgs<S extends z.ZodType>(tool: string, schema: S, args: unknown): z.output<S> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'arguments'}: ${issue.message}`)
    .join('; ');
  throw new ValidationError(`bad arguments for ${tool}: ${problems}`, 'invalid_tool_arguments');
}
