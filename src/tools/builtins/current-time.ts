/** `current_time {}`: the time now, so the model need not guess it. */
import { z } from 'zod';
import type { Tool } from '../tool.js';
import { parseArgs } from './args.js';

const schema = z.strictObject({});

/** Creates the read-only `current_time` tool; `now` is injectable for tests. */
export function createCurrentTimeTool(now: () => number = Date.now): Tool {
  return {
    name: 'current_time',
    description: 'Returns the current date and time as ISO 8601 (UTC) and as Unix milliseconds.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
    readOnly: true,
    async run(args) {
      parseArgs('current_time', schema, args);
      const unixMs = now();
      const iso = new Date(unixMs).toISOString();
      return { ok: true, output: JSON.stringify({ iso, unix_ms: unixMs }), detail: { iso, unixMs } };
    },
  };
}
