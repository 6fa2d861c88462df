import { z } from 'zod';

/**
 * A record whose keys are names matching `pattern`; a bad name is reported at its own key path
 * with `message(name)` (zod's own record-key error says only "Invalid key in record").
 */
export function namedRecord<T extends z.ZodType>(
  value: T,
  pattern: RegExp,
  message: (name: string) => string,
) {
  return z.record(z.string(), value).superRefine((entries, ctx) => {
    for (const name of Object.keys(entries)) {
      if (!pattern.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: message(name) });
    }
  });
}
