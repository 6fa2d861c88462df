import { z } from 'zod';
import { byteSize, duration } from './duration.js';
import { mcpServersSchema } from './mcp-schema.js';
import { retentionSchema } from './retention-schema.js';
import { bindingsSchema, schedulesSchema } from './routing-schema.js';

/**
 * One web-console user: signs in with their own token and acts as `console:<name>`. The token is
 * read from the environment variable `token_env` or the file `token_file`, never from this file.
 */
const consoleUser = z
  .strictObject({
    name: z
      .string()
      .regex(/^[\w.@-]{1,64}$/, 'a console user name is 1-64 letters, digits, ".", "@", "_" or "-"'),
    token_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    token_file: z.string().min(1).optional(),
  })
  .refine((u) => (u.token_env === undefined) !== (u.token_file === undefined), {
    message: 'give exactly one of token_env or token_file (the token itself never goes in the config)',
  });

/** One agent: its prompt, tools and budgets. */
const agentSchema = z.strictObject({
  system_prompt: z
    .string()
    .default('You are Switchboard, a helpful assistant working with a team in their chat.'),
  /**
   * Tools this agent may see (names; `<server>__*` for every tool of an MCP server); policies
   * still decide every call.
   */
  tools: z
    .array(z.string())
    .default([
      'current_time',
      'file_read',
      'file_write',
      'shell_exec',
      'http_fetch',
      'memory_save',
      'memory_search',
      'send_file',
    ]),
  max_steps: z.number().int().min(1).max(100).default(8),
  max_tool_calls: z.number().int().min(0).max(200).default(16),
  max_tokens_per_run: z.number().int().min(100).default(100_000),
  max_wall_time: duration.default(600_000),
  /** Token budget of the history rebuilt from earlier turns of the session. */
  context_tokens: z.number().int().min(0).default(8_000),
  /**
   * Earlier turns that no longer fit `context_tokens` are summarised by the model into a
   * `summary` tape event (off: they are left out, and the model is told so).
   */
  compaction: z.boolean().default(true),
  /** Longest summary the model is asked for. */
  summary_tokens: z.number().int().min(50).default(800),
  max_completion_tokens: z.number().int().min(1).default(2_048),
  /**
   * This agent's model; what is left out comes from `provider:` (and OPENAI_* / SWITCHBOARD_MODEL).
   * The key is read from the environment variable `api_key_env`, never from this file.
   */
  model: z
    .strictObject({
      name: z.string().min(1).optional(),
      base_url: z.string().url().optional(),
      api_key_env: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .optional(),
    })
    .optional(),
});

/** The validated configuration; every default is also written in `config/switchboard.yaml`. */
export const configSchema = z.strictObject({
  agents: z.record(z.string(), agentSchema).default({ default: agentSchema.parse({}) }),
  provider: z
    .strictObject({
      /** OpenAI-compatible base URL; env OPENAI_BASE_URL. */
      base_url: z.string().url().optional(),
      /** Model name; env SWITCHBOARD_MODEL. With no model the offline provider is used. */
      model: z.string().optional(),
      timeout: duration.default(60_000),
      max_retries: z.number().int().min(0).max(10).default(2),
    })
    .default({ timeout: 60_000, max_retries: 2 }),
  http: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(7420),
      max_body: byteSize.default(1024 * 1024),
    })
    .default({ host: '127.0.0.1', port: 7420, max_body: 1024 * 1024 }),
  limits: z
    .strictObject({
      max_message_chars: z.number().int().min(1).default(32_000),
      max_concurrent_runs: z.number().int().min(1).max(1000).default(8),
    })
    .default({ max_message_chars: 32_000, max_concurrent_runs: 8 }),
  approvals: z
    .strictObject({
      timeout: duration.default(900_000),
    })
    .default({ timeout: 900_000 }),
  /** Group name → principals. `admins`, `approvers`, `members` are built in. */
  groups: z
    .record(z.string(), z.array(z.string()))
    .default({ admins: ['console:admin'], approvers: [], members: ['console:*'] }),
  policy: z
    .strictObject({
      dir: z.string().default('config/policies'),
      schema: z.string().default('config/schema.cedarschema'),
    })
    .default({ dir: 'config/policies', schema: 'config/schema.cedarschema' }),
  tools: z
    .strictObject({
      /** Folder of file tools and shell_exec; relative paths resolve against the working directory. */
      workspace: z.string().min(1).default('workspace'),
      timeout: duration.default(30_000),
      max_output: byteSize.default(64 * 1024),
      http_fetch: z
        .strictObject({
          allow_private: z.boolean().default(false),
          max_bytes: byteSize.default(1024 * 1024),
          timeout: duration.default(15_000),
        })
        .default({ allow_private: false, max_bytes: 1024 * 1024, timeout: 15_000 }),
      sandbox: z
        .strictObject({
          /** Without a working bubblewrap, run shell tools uncontained instead of turning them off. */
          allow_unisolated: z.boolean().default(false),
        })
        .default({ allow_unisolated: false }),
    })
    .default({
      workspace: 'workspace',
      timeout: 30_000,
      max_output: 64 * 1024,
      http_fetch: { allow_private: false, max_bytes: 1024 * 1024, timeout: 15_000 },
      sandbox: { allow_unisolated: false },
    }),
  /** Which agent a new session gets: the first binding whose `match` fits (default: `default`). */
  bindings: bindingsSchema,
  /** Agents run on a cron expression into a conversation. */
  schedules: schedulesSchema,
  /** Tool servers spoken to over MCP; their tools are `<server>__<tool>` (docs/mcp.md). */
  mcp_servers: mcpServersSchema,
  channels: z
    .object({
      console: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Per-user console tokens (principal `console:<name>`); secrets come from env or a file. */
          users: z.array(consoleUser).default([]),
        })
        .default({ enabled: true, users: [] }),
    })
    // Each platform's section (`channels.discord`…) is its descriptor's to validate
    // (channels/<name>/descriptor.ts); an unknown name is refused when the channels are built.
    .catchall(z.unknown())
    .default({ console: { enabled: true, users: [] } }),
  /** Memory items and their retrieval into prompts (docs/memory.md). */
  memory: z
    .strictObject({
      /** Inject relevant memory items into each run's input. */
      enabled: z.boolean().default(true),
      /** Embeddings endpoint; without a model the built-in offline embedding is used. */
      embeddings: z
        .strictObject({
          /** Embedding model on the OpenAI-compatible server (e.g. text-embedding-3-small). */
          model: z.string().optional(),
          /** Base URL including /v1; defaults to provider.base_url (OPENAI_BASE_URL). */
          base_url: z.string().url().optional(),
          dimensions: z.number().int().min(1).optional(),
          timeout: duration.default(10_000),
        })
        .prefault({}),
      /** At most this many items are injected into one run. */
      max_items: z.number().int().min(0).max(50).default(5),
      /** Items scoring below this (0..1) are never injected. */
      min_score: z.number().min(0).max(1).default(0.25),
      /** Characters of item text injected per run at most. */
      max_chars: z.number().int().min(0).default(4_000),
      /** The longest item text memory_save and the API accept. */
      max_item_chars: z.number().int().min(1).default(2_000),
      /** The ranking blend: keyword (bm25) and vector weights, and how much recency may discount. */
      weights: z
        .strictObject({
          keyword: z.number().min(0).max(1).default(0.4),
          vector: z.number().min(0).max(1).default(0.6),
          recency: z.number().min(0).max(1).default(0.2),
        })
        .prefault({}),
      /** Age at which an item's recency factor is one half. */
      recency_half_life: duration.default(30 * 86_400_000),
    })
    .prefault({}),
  /** How long journal rows are kept before the housekeeping timer prunes them (README: Retention). */
  retention: retentionSchema,
  /** Files attached to messages: what is downloaded and how it reaches the model (docs/memory.md). */
  attachments: z
    .strictObject({
      /** At most this many attachments of a message are read; the rest are named as not read. */
      max_count: z.number().int().min(0).max(20).default(5),
      /** Larger files are refused and named in a notice. */
      max_bytes: byteSize.default(5 * 1024 * 1024),
      /** A text file is cut after this many characters. */
      max_text_chars: z.number().int().min(1).default(20_000),
      /** Time limit of one download. */
      timeout: duration.default(10_000),
      /** Send images as image parts: only when the configured model accepts images. */
      images: z.boolean().default(false),
      /** Allow downloads from loopback and private addresses (a local file server, tests). */
      allow_private: z.boolean().default(false),
      /** MIME types that may be read; `type/*` matches a family. Others are refused unread. */
      mime_types: z
        .array(z.string())
        .default([
          'text/*',
          'application/json',
          'application/xml',
          'application/yaml',
          'application/x-yaml',
          'application/toml',
          'application/javascript',
          'application/typescript',
          'application/x-sh',
          'application/sql',
          'application/pdf',
          'image/png',
          'image/jpeg',
          'image/gif',
          'image/webp',
        ]),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .default({ level: 'info' }),
});

/** The validated configuration (YAML file + environment), with defaults filled in. */
export type Config = z.output<typeof configSchema>;

/** The configuration of one agent. */
export type AgentConfig = z.output<typeof agentSchema>;
