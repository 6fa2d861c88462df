/**
 * Chooses the model provider from configuration: an OpenAI-compatible server when a model is
 * configured, the offline provider otherwise, with a line for the start log saying which.
 */
import { createOfflineProvider } from './offline.js';
import { createOpenAIProvider, OPENAI_DEFAULT_BASE_URL } from './openai.js';
import type { ModelProvider } from './provider.js';

/** Provider settings after config and environment were merged. */
export interface ProviderSelectionOptions {
  /** Model name (`SWITCHBOARD_MODEL`); without one the offline provider is used. */
  model?: string;
  /** OpenAI-compatible base URL including `/v1` (`OPENAI_BASE_URL`). */
  baseURL?: string;
  /** API key (`OPENAI_API_KEY`); optional for local servers. */
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
}

/** The chosen provider, whether it is the offline one, and a secret-free line describing it. */
export interface ProviderSelection {
  provider: ModelProvider;
  offline: boolean;
  description: string;
}

/**
 * Picks the provider: offline when no model is configured (so `npm start` works with nothing set),
 * otherwise the OpenAI-compatible provider. `description` names model and server but never the
 * key, nor credentials or query parameters inside the base URL.
 */
export function selectProvider(options: ProviderSelectionOptions): ProviderSelection {
  const model = options.model?.trim();
  if (!model) {
    return {
      provider: createOfflineProvider(),
      offline: true,
      description:
        'offline provider (no model configured; set SWITCHBOARD_MODEL and OPENAI_BASE_URL / OPENAI_API_KEY to use a model)',
    };
  }
  const provider = createOpenAIProvider({
    model,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  });
  const server = describeServer(options.baseURL ?? OPENAI_DEFAULT_BASE_URL);
  const key = options.apiKey ? 'API key set' : 'no API key';
  return {
    provider,
    offline: false,
    description: `OpenAI-compatible model "${model}" at ${server} (${key}, timeout ${options.timeoutMs} ms, ${options.maxRetries} retries)`,
  };
}

/** The base URL without user info, query or fragment; an unparseable URL is not repeated at all. */
function describeServer(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'an unparseable base URL';
  }
}
