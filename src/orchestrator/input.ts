/**
 * Input preparation of a run (issue 8): the person's text normalized, attachments read within
 * limits, and the most relevant memory items the person may read injected as reference data. The
 * result is cached per run, so the steps after a tool call send the same input without fetching
 * again; a restart prepares it anew.
 */

import { normalizeText } from '../core/normalize.js';
import type { Attachment, Run, TapeEvent } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import type { MemoryService } from '../memory/service.js';
import type { Channel } from '../ports/channel.js';
import type { ChatMessage, ContentPart } from '../providers/provider.js';
import { fetchAttachment } from './attachment-fetch.js';
import type { AttachmentRecord } from './attachments.js';
import {
  type AttachmentFetcher,
  type AttachmentOptions,
  prepareAttachments,
  refusalNotice,
} from './attachments.js';
import { memoryBlock } from './augment.js';

/** What the tape records about the prepared input (in the `provider_request` body, as `input`). */
export interface InputRecord {
  /** Characters of the person's text after normalization. */
  textChars: number;
  /** True when normalization changed the text (control characters removed, trimmed…). */
  normalized: boolean;
  attachments: AttachmentRecord[];
  /** Memory items injected, best first, with their scores; `error` when retrieval failed. */
  memory: { items: { id: string; scope: string; score: number }[]; error?: string };
}

/** The input message for the model, what to record, and a notice for the person (refused files). */
export interface PreparedInput {
  message: Extract<ChatMessage, { role: 'user' }>;
  record: InputRecord;
  notice?: string;
}

/** Settings of an {@link InputPreparer}. */
export interface InputPreparerOptions {
  attachments: AttachmentOptions;
  /** Memory augmentation; none when memory is disabled. */
  memory?: { service: MemoryService; maxChars: number };
  /** Downloads attachments; the SSRF-safe fetcher by default (injectable for tests). */
  fetcher?: AttachmentFetcher;
  /** The channels, so a platform that serves files only with its credentials downloads them. */
  channels?: ReadonlyMap<string, Channel>;
  logger?: Logger;
}

/** Prepared inputs kept for runs in progress. */
const CACHE_LIMIT = 256;

/** Prepares the input message of runs; one instance per daemon. */
export class InputPreparer {
  private readonly cache = new Map<string, PreparedInput>();

  constructor(private readonly options: InputPreparerOptions) {}

  /** The input of `run` as the model should get it (prepared once per run and process). */
  async prepare(run: Run, tape: readonly TapeEvent[], signal: AbortSignal): Promise<PreparedInput> {
    const cached = this.cache.get(run.id);
    if (cached) return cached;
    const input = tape.find((e) => e.kind === 'input')?.body as
      | { text?: unknown; attachments?: Attachment[] }
      | undefined;
    const raw = String(input?.text ?? run.text);
    const text = normalizeText(raw);
    const files = await prepareAttachments(
      input?.attachments ?? [],
      this.options.attachments,
      signal,
      this.fetcherFor(run.channel),
    );
    const memory = await this.augment(run, text, signal);

    const body = [memory.block, text, files.text]
      .filter((part) => part !== undefined && part !== '')
      .join('\n\n');
    const content: string | ContentPart[] =
      files.images.length > 0 ? [{ type: 'text', text: body }, ...files.images] : body;
    const notice = refusalNotice(files.records);
    const prepared: PreparedInput = {
      message: { role: 'user', content },
      record: {
        textChars: text.length,
        normalized: text !== raw,
        attachments: files.records,
        memory: memory.record,
      },
      ...(notice ? { notice } : {}),
    };
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(run.id, prepared);
    return prepared;
  }

  /** The fetcher for a run's attachments: the channel's own download first, when it has one. */
  private fetcherFor(channelName: string): AttachmentFetcher {
    const base = this.options.fetcher ?? fetchAttachment;
    const channel = this.options.channels?.get(channelName);
    if (!channel?.fetchAttachment) return base;
    return async (url, options, signal) => {
      try {
        const file = await channel.fetchAttachment?.(url, { maxBytes: options.maxBytes, signal });
        if (!file) return base(url, options, signal);
        if (file.data.length > options.maxBytes) {
          return { ok: false, refusal: 'too_large', reason: `it is larger than ${options.maxBytes} bytes` };
        }
        return { ok: true, body: file.data, contentType: file.mimeType ?? '' };
      } catch (error) {
        return {
          ok: false,
          refusal: 'network',
          reason: `${channelName} could not provide it: ${(error as Error).message}`,
        };
      }
    };
  }

  /** Drops the cached input of a finished run. */
  forget(runId: string): void {
    this.cache.delete(runId);
  }

  private async augment(
    run: Run,
    text: string,
    signal: AbortSignal,
  ): Promise<{ block?: string; record: InputRecord['memory'] }> {
    const memory = this.options.memory;
    if (!memory || text === '') return { record: { items: [] } };
    try {
      const ranked = await memory.service.retrieve(
        text,
        { principal: run.principal, sessionId: run.sessionId, conversation: run.conversation },
        { signal },
      );
      const block = memoryBlock(ranked, memory.maxChars);
      const items = (block?.items ?? []).map((r) => ({
        id: r.item.id,
        scope: r.item.scope,
        score: Math.round(r.score * 1000) / 1000,
      }));
      return { ...(block ? { block: block.text } : {}), record: { items } };
    } catch (error) {
      if (signal.aborted) throw error;
      this.options.logger?.warn(
        { runId: run.id, err: error },
        'memory retrieval failed; answering without it',
      );
      return { record: { items: [], error: (error as Error).message } };
    }
  }
}
