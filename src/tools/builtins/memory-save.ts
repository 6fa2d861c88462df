/** `memory_save {text, scope?}`: keeps a note for later runs, in a scope the policy lets the caller write. */
import { z } from 'zod';
import { ForbiddenError } from '../../core/errors.js';
import type { ConversationRef } from '../../core/types.js';
import type { MemoryService } from '../../memory/service.js';
import type { Tool } from '../tool.js';
import { parseArgs } from './args.js';

const schema = z.strictObject({
  text: z.string().min(1, 'give the text to remember'),
  scope: z.enum(['principal', 'session', 'workspace']).default('principal'),
});

/** What the memory tools need: the service, and the conversation of a session (for its scope). */
export interface MemoryToolOptions {
  memory: MemoryService;
  conversationOf: (sessionId: string) => Promise<ConversationRef | undefined>;
}

/** Creates `memory_save` (not read-only: it changes what later runs see). */
export function createMemorySaveTool(options: MemoryToolOptions): Tool {
  return {
    name: 'memory_save',
    description:
      'Saves a short fact or note to memory so later conversations can recall it. scope: "principal" (only the person asking, default), "session" (this conversation) or "workspace" (everyone).',
    parameters: {
      type: 'object',
      properties: {
        text: { type: 'string', description: 'The fact to remember, self-contained' },
        scope: { type: 'string', enum: ['principal', 'session', 'workspace'] },
      },
      required: ['text'],
      additionalProperties: false,
    },
    readOnly: false,
    async run(args, ctx) {
      const { text, scope } = parseArgs('memory_save', schema, args);
      const conversation = await options.conversationOf(ctx.sessionId);
      if (!conversation) return { ok: false, output: `session ${ctx.sessionId} not found` };
      try {
        const item = await options.memory.save(
          { text, scope, source: 'tool' },
          { principal: ctx.principal, sessionId: ctx.sessionId, conversation },
          ctx.signal,
        );
        return {
          ok: true,
          output: `saved memory item ${item.id} (${item.scope})`,
          detail: { id: item.id, scope: item.scope },
        };
      } catch (error) {
        if (error instanceof ForbiddenError) return { ok: false, output: `denied: ${error.message}` };
        throw error;
      }
    },
  };
}
