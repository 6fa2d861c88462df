/**
 * Wires memory into the daemon: opens it (src/memory/open.ts), registers the `memory_save` and
 * `memory_search` tools, and builds the orchestrator's input preparer (normalization, attachments,
 * memory augmentation). Composition only; memory itself knows nothing of tools or the orchestrator.
 */

import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import { type OpenMemoryOptions, openMemory } from '../memory/open.js';
import type { MemoryService } from '../memory/service.js';
import { attachmentOptionsOf } from '../orchestrator/attachments.js';
import { InputPreparer } from '../orchestrator/input.js';
import type { Channel } from '../ports/channel.js';
import { createMemorySaveTool } from '../tools/builtins/memory-save.js';
import { createMemorySearchTool } from '../tools/builtins/memory-search.js';
import type { ToolRegistry } from '../tools/registry.js';

/** What {@link wireMemory} needs from the composition root. */
export interface WireMemoryOptions extends OpenMemoryOptions {
  journal: Pick<JournalStore, 'getSession'>;
  tools: ToolRegistry;
  logger: Logger;
  /** Output cap of `memory_search` (the tools' `max_output`). */
  maxToolOutputChars: number;
  /** The channels, for attachments a platform serves only with its credentials. */
  channels?: ReadonlyMap<string, Channel>;
}

/** Memory wired into the daemon: the input preparer for the executor, the service for HTTP. */
export interface WiredMemory {
  input: InputPreparer;
  service: MemoryService;
  close(): Promise<void>;
}

/**
 * Opens memory, registers `memory_save` and `memory_search`, and builds the input preparer
 * (normalization, attachments, memory augmentation when `memory.enabled`). Re-embedding of items
 * saved under another embedder runs in the background.
 */
export async function wireMemory(options: WireMemoryOptions): Promise<WiredMemory> {
  const { config, logger } = options;
  const memory = await openMemory(options);
  const conversationOf = async (sessionId: string) =>
    (await options.journal.getSession(sessionId))?.conversation;
  options.tools.register(createMemorySaveTool({ memory: memory.service, conversationOf }));
  options.tools.register(
    createMemorySearchTool({
      memory: memory.service,
      conversationOf,
      maxOutputChars: options.maxToolOutputChars,
    }),
  );
  const input = new InputPreparer({
    attachments: attachmentOptionsOf(config),
    ...(options.channels ? { channels: options.channels } : {}),
    ...(config.memory.enabled
      ? { memory: { service: memory.service, maxChars: config.memory.max_chars } }
      : {}),
    logger,
  });
  logger.info({ items: await memory.store.count() }, `memory: ${memory.description}`);
  void memory.service
    .reembed()
    .then((n) => {
      if (n > 0) logger.info({ items: n }, 'memory: re-embedded items saved under another embedder');
    })
    .catch((error: unknown) => logger.warn({ err: error }, 'memory: re-embedding failed'));
  return { input, service: memory.service, close: () => memory.store.close() };
}
