/** Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp). */
import type OpenAI from 'openai';
import { type Embedder, normalize } from './embedding.js';

/** Settings of {@link createOpenAIEmbedder}. */
export interface OpenAIEmbedderOptions {
  model: string;
  /** Base URL including `/v1`; the SDK's default (api.openai.com) when absent. */
  baseURL?: string;
  apiKey?: string;
  /** Ask the server for vectors of this size (models that support it). */
  dimensions?: number;
  /** Time limit of one call; never the SDK's 10-minute default. */
  timeoutMs: number;
  maxRetries?: number;
}

/** Inputs per request; servers limit the batch size. */
const BATCH = 64;

/**
 * An {@link Embedder} on the `openai` SDK. Asks for `encoding_format: "float"` (some compatible
 * servers do not implement base64) and L2-normalises what comes back, so cosine is a dot product.
 */
export function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  // Loaded on first use, like the chat provider's SDK: start time.
  let sdk: Promise<OpenAI> | undefined;
  const client = (): Promise<OpenAI> =>
    (sdk ??= import('openai').then(
      ({ default: OpenAI }) =>
        new OpenAI({
          apiKey: options.apiKey ?? 'not-needed',
          timeout: options.timeoutMs,
          maxRetries: options.maxRetries ?? 2,
          ...(options.baseURL ? { baseURL: options.baseURL } : {}),
        }),
    ));
  return {
    id: `openai:${options.model}${options.dimensions ? `:${options.dimensions}` : ''}`,
    async embed(texts, signal) {
      const out: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += BATCH) {
        const input = texts.slice(start, start + BATCH);
        const response = await (await client()).embeddings.create(
          {
            model: options.model,
            input: [...input],
            encoding_format: 'float',
            ...(options.dimensions ? { dimensions: options.dimensions } : {}),
          },
          signal ? { signal } : undefined,
        );
        const rows = [...response.data].sort((a, b) => a.index - b.index);
        if (rows.length !== input.length) {
          throw new Error(
            `the embeddings endpoint returned ${rows.length} vectors for ${input.length} texts`,
          );
        }
        for (const row of rows) out.push(normalize(Float32Array.from(row.embedding)));
      }
      return out;
    },
  };
}
