/**
 * The agents of `agents:` as a registry: each with its own prompt, tools, budgets and model
 * provider. Agents that name the same model share one provider.
 */
import type { AgentConfig, Config } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { ModelProvider } from '../providers/provider.js';
import { type ProviderSelection, selectProvider } from '../providers/select.js';
import { DEFAULT_AGENT } from './bindings.js';

/** One agent, ready to answer. */
export interface Agent {
  name: string;
  config: AgentConfig;
  provider: ModelProvider;
  /** A secret-free line naming its model, for `/status` and the start log. */
  providerDescription: string;
  offline: boolean;
}

/** The agents by name; unknown names fall back to the default agent. */
export class AgentDirectory {
  private readonly agents: ReadonlyMap<string, Agent>;
  readonly defaultName: string;

  constructor(agents: readonly Agent[], defaultName: string) {
    this.agents = new Map(agents.map((agent) => [agent.name, agent]));
    if (!this.agents.has(defaultName))
      throw new ConfigError(`agents: the default agent "${defaultName}" is not defined`);
    this.defaultName = defaultName;
  }

  /** The agent called `name` (null and unknown names, e.g. one removed from the config: the default). */
  get(name: string | null | undefined): Agent {
    return this.agents.get(name ?? this.defaultName) ?? this.agents.get(this.defaultName)!;
  }

  /** Whether an agent of this name is configured. */
  has(name: string): boolean {
    return this.agents.has(name);
  }

  /** Every agent, in configuration order. */
  list(): Agent[] {
    return [...this.agents.values()];
  }

  /** A directory of one agent (tests, tools that need no routing). */
  static single(agent: Omit<Agent, 'name'> & { name?: string }): AgentDirectory {
    const name = agent.name ?? DEFAULT_AGENT;
    return new AgentDirectory([{ ...agent, name }], name);
  }
}

/** What building the agents needs besides the config. */
export interface AgentBuildOptions {
  env: NodeJS.ProcessEnv;
  /** The provider of agents that set no model of their own (from `provider:` and OPENAI_*). */
  base: ProviderSelection & { model?: string; baseURL?: string; apiKey?: string };
}

/**
 * Builds every agent of `config.agents` with its provider, checking that bindings and schedules
 * name agents that exist and that `api_key_env` variables are set. The default agent is
 * `default`, or the first one when there is no `default`.
 */
export function buildAgents(config: Config, options: AgentBuildOptions): AgentDirectory {
  const names = Object.keys(config.agents);
  if (names.length === 0) throw new ConfigError('agents: define at least one agent (e.g. agents.default)');
  const defaultName = names.includes(DEFAULT_AGENT) ? DEFAULT_AGENT : names[0]!;
  for (const [i, binding] of config.bindings.entries()) {
    if (!names.includes(binding.agent))
      throw new ConfigError(
        `bindings[${i}].agent: no agent "${binding.agent}" (agents: ${names.join(', ')})`,
      );
  }
  for (const [name, schedule] of Object.entries(config.schedules)) {
    if (schedule.agent !== undefined && !names.includes(schedule.agent))
      throw new ConfigError(
        `schedules.${name}.agent: no agent "${schedule.agent}" (agents: ${names.join(', ')})`,
      );
  }
  const shared = new Map<string, ProviderSelection>();
  const agents = Object.entries(config.agents).map(([name, agent]): Agent => {
    const selection = agent.model ? selectionFor(name, agent, config, options, shared) : options.base;
    return {
      name,
      config: agent,
      provider: selection.provider,
      providerDescription: selection.description,
      offline: selection.offline,
    };
  });
  return new AgentDirectory(agents, defaultName);
}

function selectionFor(
  name: string,
  agent: AgentConfig,
  config: Config,
  options: AgentBuildOptions,
  shared: Map<string, ProviderSelection>,
): ProviderSelection {
  const model = agent.model ?? {};
  let apiKey = options.base.apiKey;
  if (model.api_key_env !== undefined) {
    apiKey = options.env[model.api_key_env];
    if (!apiKey)
      throw new ConfigError(
        `agents.${name}.model.api_key_env: the environment variable ${model.api_key_env} is not set`,
      );
  }
  const settings = {
    model: model.name ?? options.base.model,
    baseURL: model.base_url ?? options.base.baseURL,
    apiKey,
  };
  const key = JSON.stringify([settings.model, settings.baseURL, model.api_key_env ?? '']);
  const known = shared.get(key);
  if (known) return known;
  const selection = selectProvider({
    timeoutMs: config.provider.timeout,
    maxRetries: config.provider.max_retries,
    ...(settings.model ? { model: settings.model } : {}),
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  });
  shared.set(key, selection);
  return selection;
}
