import type { z } from 'zod';
import { ValidationError } from '../core/errors.js';

/** Parses `value` with a zod schema or throws a `ValidationError` naming the field and the reason. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new ValidationError(`invalid ${what}: ${path}${issue?.message ?? 'invalid'}`);
}
