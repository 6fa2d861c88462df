import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { type Config, configSchema } from './schema.js';

/**
 * Secrets and locations that come only from the environment; never logged. Each platform reads
 * its own variables (its descriptor, channels/<name>/descriptor.ts).
 */
export interface Environment {
  configPath: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  openai: { apiKey: string | undefined; baseUrl: string | undefined; model: string | undefined };
}

/** Everything the daemon needs to start. */
export interface LoadedConfig {
  config: Config;
  env: Environment;
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** Reads the daemon's own environment variables of DESIGN.md section 4. */
export function readEnvironment(env: NodeJS.ProcessEnv): Environment {
  return {
    configPath: nonEmpty(env.SWITCHBOARD_CONFIG) ?? 'config/switchboard.yaml',
    dataDir: resolve(nonEmpty(env.SWITCHBOARD_DATA_DIR) ?? 'data'),
    databaseUrl: nonEmpty(env.SWITCHBOARD_DATABASE_URL),
    adminToken: nonEmpty(env.SWITCHBOARD_ADMIN_TOKEN),
    openai: {
      apiKey: nonEmpty(env.OPENAI_API_KEY),
      baseUrl: nonEmpty(env.OPENAI_BASE_URL),
      model: nonEmpty(env.SWITCHBOARD_MODEL),
    },
  };
}

/**
 * Loads `SWITCHBOARD_CONFIG` (default `config/switchboard.yaml`; a missing default file means
 * all defaults), validates it, and applies environment overrides. Throws `ConfigError` naming the
 * file, the key path and the reason.
 */
export function loadConfig(processEnv: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const env = readEnvironment(processEnv);
  const explicit = nonEmpty(processEnv.SWITCHBOARD_CONFIG) !== undefined;
  let raw: unknown = {};
  let text: string | undefined;
  try {
    text = readFileSync(env.configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (explicit || code !== 'ENOENT') {
      throw new ConfigError(`cannot read config file ${env.configPath}: ${(error as Error).message}`);
    }
  }
  if (text !== undefined) {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0]?.line;
      throw new ConfigError(
        `${env.configPath}${line ? `:${line}` : ''}: invalid YAML: ${first.message.split('\n')[0]}`,
      );
    }
    raw = doc.toJS() ?? {};
  }
  const config = parseConfig(raw, env.configPath);
  applyEnvironment(config, env, processEnv);
  return { config, env };
}

/** Validates a parsed config object; throws `ConfigError` with `file: key.path: reason` lines. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(source, result.error.issues));
  return result.data;
}

/**
 * Renders validation issues as `file: key.path: reason` lines; `prefix` is the key path of the
 * section the issues are relative to (a channel's settings are validated on their own).
 */
export function formatIssues(
  source: string,
  issues: z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): string {
  const lines = issues.map((issue) => {
    const keys = [...prefix, ...issue.path].map(String);
    const path = keys.length > 0 ? keys.join('.') : '(root)';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (path === '(root)' ? k : `${path}.${k}`));
      return `${source}: unknown key ${keys.join(', ')} (check the spelling against config/switchboard.yaml)`;
    }
    return `${source}: ${path}: ${issue.message}`;
  });
  return `invalid configuration:\n  ${lines.join('\n  ')}`;
}

function applyEnvironment(config: Config, env: Environment, processEnv: NodeJS.ProcessEnv): void {
  const host = nonEmpty(processEnv.SWITCHBOARD_HTTP_HOST);
  if (host) config.http.host = host;
  const port = nonEmpty(processEnv.SWITCHBOARD_HTTP_PORT);
  if (port) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      throw new ConfigError(`SWITCHBOARD_HTTP_PORT: "${port}" is not a port number (0-65535)`);
    }
    config.http.port = n;
  }
  if (env.openai.model) config.provider.model = env.openai.model;
  if (env.openai.baseUrl) config.provider.base_url = env.openai.baseUrl;
}
