import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPlatformChannels } from './channels.js';
import { loadConfig } from './config/load.js';
import { ConfigError } from './core/errors.js';
import { newId } from './core/ids.js';
import { assembleCore } from './gateway/assemble.js';
import { ConsoleChannel } from './gateway/console-channel.js';
import type { OutboxDispatcher } from './gateway/outbox-dispatcher.js';
import type { Channel } from './gateway/port.js';
import type { RunFeed } from './gateway/run-feed.js';
import type { GatewayRuntimeState } from './gateway/runtime.js';
import type { Scheduler } from './gateway/scheduler.js';
import { claimOutboxForHeldChannels, holdSingleton, type SingletonLease } from './gateway/singleton.js';
import { ensureAdminToken } from './http/admin-token.js';
import { loadConsoleUsers } from './http/console/index.js';
import { Metrics, timeTapeAppends } from './http/metrics.js';
import { buildHttpServer } from './http/server.js';
import { openJournal } from './journal/open.js';
import type { JournalStore } from './journal/store.js';
import { createLogger, type Logger } from './logging/logger.js';
import { wireMemory } from './memory/open.js';
import { loadPolicyEngine } from './policy/cedar-engine.js';
import { watchPolicies } from './policy/watch.js';
import { selectProvider } from './providers/select.js';
import { StartupPhases } from './startup-phases.js';
import {
  assertWorkspacePlacement,
  buildDaemonTools,
  detectIsolation,
  resolveWorkspaceDir,
} from './tools/index.js';

/** A running daemon. */
export interface Daemon {
  /** Base URL of the HTTP API. */
  url: string;
  gateway: GatewayRuntimeState;
  logger: Logger;
  /** Stops channels, HTTP, the scheduler and closes the journal. */
  stop(): Promise<void>;
}

/** How long a run's lease lasts before another process may take it over. */
export const RUN_LEASE_MS = 30_000;

/**
 * The run lease: `SWITCHBOARD_LEASE_MS` when set (tests shorten it to see take-overs quickly),
 * else `RUN_LEASE_MS`. Singleton connections use the same lease, capped at 15 s.
 */
export function runLeaseMs(env: NodeJS.ProcessEnv): number {
  const raw = env.SWITCHBOARD_LEASE_MS;
  if (raw === undefined || raw === '') return RUN_LEASE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1000) {
    throw new ConfigError(
      `SWITCHBOARD_LEASE_MS must be a whole number of milliseconds, at least 1000 (got "${raw}")`,
    );
  }
  return ms;
}

/**
 * The composition root (DESIGN.md section 3): config → journal → policy → gateway → channels →
 * http. Throws `ConfigError` with a clear message when anything needed to start is wrong.
 */
export async function startDaemon(processEnv: NodeJS.ProcessEnv = process.env): Promise<Daemon> {
  const phases = new StartupPhases();
  const { config, env } = loadConfig(processEnv);
  phases.mark('config');
  const consoleUsers = loadConsoleUsers(config.channels.console.users, processEnv, env.configPath);
  const logger = createLogger({ level: processEnv.SWITCHBOARD_LOG_LEVEL ?? config.logging.level });
  const clock = () => Date.now();
  const leaseMs = runLeaseMs(processEnv);

  ensureWritableDir(env.dataDir);
  // The workspace holds nothing the daemon guards; probing bubblewrap runs beside the rest of the start.
  const workspaceDir = resolveWorkspaceDir(config.tools.workspace);
  assertWorkspacePlacement(workspaceDir, {
    dataDir: env.dataDir,
    configPath: env.configPath,
    policyDir: config.policy.dir,
    policySchema: config.policy.schema,
  });
  mkdirSync(workspaceDir, { recursive: true });
  const isolation = detectIsolation();
  isolation.catch(() => {}); // Awaited (and reported) when the tools are built.
  const journal = await openJournal({
    dataDir: env.dataDir,
    ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}),
  });
  await journal.migrate();
  phases.mark('journal');
  // A journal other processes share (PostgreSQL): their runs, leases and channels are left alone.
  const shared = journal.watch !== undefined;

  const policySources = { dir: resolve(config.policy.dir), schemaPath: resolve(config.policy.schema) };
  const policy = loadPolicyEngine({ ...policySources, groups: config.groups });
  phases.mark('policy');
  const stopWatching = watchPolicies(policy, { ...policySources, log: logger });

  const selection = selectProvider({
    timeoutMs: config.provider.timeout,
    maxRetries: config.provider.max_retries,
    ...(config.provider.model ? { model: config.provider.model } : {}),
    ...(config.provider.base_url ? { baseURL: config.provider.base_url } : {}),
    ...(env.openai.apiKey ? { apiKey: env.openai.apiKey } : {}),
  });
  if (selection.offline) {
    logger.warn(
      {},
      'no model configured: using the built-in offline provider (echo; "tool: <name> <json>" calls a tool). Set SWITCHBOARD_MODEL and OPENAI_BASE_URL/OPENAI_API_KEY to use a real model.',
    );
  }

  const { registry: tools, sandbox } = await buildDaemonTools({
    tools: config.tools,
    workspaceDir,
    isolation,
    logger,
  });
  phases.mark('tools');
  const channels = new Map<string, Channel>();
  const memory = await wireMemory({
    channels,
    config,
    dataDir: env.dataDir,
    policy,
    journal,
    tools,
    logger,
    maxToolOutputChars: config.tools.max_output,
    ...(env.openai.apiKey ? { apiKey: env.openai.apiKey } : {}),
  });
  phases.mark('memory');

  const metrics = createMetrics(journal);
  timeTapeAppends(journal, metrics);
  const owner = `sb-${newId()}`;
  const agent = config.agents.default ?? Object.values(config.agents)[0];
  if (!agent) throw new ConfigError('agents: define at least one agent (e.g. agents.default)');
  const { gateway, scheduler, dispatcher, feed } = assembleCore({
    journal,
    policy,
    provider: selection.provider,
    providerDescription: selection.description,
    sandboxSummary: sandbox.summary,
    tools,
    agent,
    approvalTimeoutMs: config.approvals.timeout,
    workspaceDir,
    maxConcurrentRuns: config.limits.max_concurrent_runs,
    maxMessageChars: config.limits.max_message_chars,
    owner,
    leaseMs,
    clock,
    logger,
    channels,
    observeProvider: (ms, ok) =>
      metrics.observe('switchboard_provider_latency_seconds', ms / 1000, { ok: String(ok) }),
    input: memory.input,
    memory: memory.service,
    onDelivered: (item) =>
      metrics.inc('switchboard_outbox_delivered_total', { kind: item.kind, channel: item.channel }),
  });

  const adminToken = ensureAdminToken(env.dataDir, env.adminToken);
  if (adminToken.source !== 'environment') {
    logger.info(
      { path: adminToken.path },
      `admin token ${adminToken.source === 'generated' ? 'generated and ' : ''}stored in ${adminToken.path}`,
    );
  }

  // With replicas, each one delivers only for the channels it has connected.
  if (shared) claimOutboxForHeldChannels(journal, () => channels.keys());
  if (config.channels.console.enabled) channels.set('console', new ConsoleChannel());
  for (const channel of await createPlatformChannels(config, env, gateway, logger))
    channels.set(channel.name, channel);

  const http = await buildHttpServer({
    gateway,
    feed,
    metrics,
    logger,
    adminToken: adminToken.token,
    consoleUsers,
    maxBodyBytes: config.http.max_body,
    clock,
  });
  await http.listen({ host: config.http.host, port: config.http.port });
  phases.mark('http');
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;

  // Alone on the journal, every running run was ours and is recovered now; with replicas, only
  // runs whose lease lapsed, now and then regularly (`startTakeOver`).
  const recovered = await journal.recoverRuns({
    owner,
    leaseMs,
    now: clock(),
    reason: 'interrupted by restart',
    all: !shared,
  });
  if (recovered.failed.length > 0)
    logger.warn({ runs: recovered.failed.map((r) => r.id) }, 'failed runs interrupted by a restart');

  const failedChannels = new Set<string>();
  const singletons: SingletonLease[] = [];
  for (const channel of [...channels.values()]) {
    if (channel.singleton && journal.acquireSingleton && journal.releaseSingleton) {
      channels.delete(channel.name);
      const store = {
        acquireSingleton: journal.acquireSingleton.bind(journal),
        releaseSingleton: journal.releaseSingleton.bind(journal),
      };
      const onStart = () => metrics.inc('switchboard_channel_starts_total', { channel: channel.name });
      singletons.push(holdSingleton({ channel, channels, store, owner, leaseMs, clock, logger, onStart }));
      continue;
    }
    try {
      await channel.start();
      metrics.inc('switchboard_channel_starts_total', { channel: channel.name });
    } catch (error) {
      logger.error({ channel: channel.name, err: error }, `channel ${channel.name} failed to start`);
      channels.delete(channel.name);
      failedChannels.add(channel.name);
    }
  }
  metricsChannels(metrics, channels, failedChannels);
  scheduler.start();
  dispatcher.start();
  for (const run of recovered.resumable) void scheduler.resume(run.id);
  const stopTakeOver = shared
    ? startTakeOver({ journal, owner, leaseMs, clock, logger, scheduler, dispatcher, feed })
    : () => {};
  const unwatch = journal.watch?.((signal) => {
    if (signal.type === 'run_accepted') scheduler.kick();
    else if (signal.type === 'run_cancelled') {
      scheduler.abort(signal.runId, 'cancelled on another replica');
      feed.publish(signal.runId);
    } else if (signal.type === 'approval_decided') {
      dispatcher.kick();
      feed.publish(signal.runId);
      void scheduler.resume(signal.runId);
    } else dispatcher.kick();
  });
  await journal.recordEvent(
    'daemon.started',
    { owner, provider: selection.description, channels: [...channels.keys()] },
    clock(),
  );
  phases.mark('channels');
  logger.info(
    {
      url,
      provider: selection.description,
      channels: [...channels.keys()],
      journal: journal.kind,
      startup_ms: phases.done(),
    },
    `switchboard ready on ${url}`,
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      stopWatching();
      unwatch?.();
      stopTakeOver();
      for (const lease of singletons) await lease.stop();
      for (const channel of channels.values()) await channel.stop().catch(() => {});
      await http.close();
      await scheduler.abortAll();
      await dispatcher.stop();
      await journal.recordEvent('daemon.stopped', { owner }, clock()).catch(() => {});
      await journal.close();
      memory.close();
    })();
    return stopping;
  };
  return { url, gateway, logger, stop };
}

/**
 * With replicas: every third of a lease, takes over the runs of replicas that stopped renewing
 * (DESIGN.md section 6): a run whose approval was decided resumes here, the rest fail with a
 * notice to the user, pending approvals stay clickable. Returns the function that stops it.
 */
function startTakeOver(deps: {
  journal: JournalStore;
  owner: string;
  leaseMs: number;
  clock: () => number;
  logger: Logger;
  scheduler: Scheduler;
  dispatcher: OutboxDispatcher;
  feed: RunFeed;
}): () => void {
  const { journal, owner, leaseMs, clock, logger, scheduler, dispatcher, feed } = deps;
  let busy = false;
  const pass = async () => {
    if (busy) return;
    busy = true;
    try {
      const { failed, resumable } = await journal.recoverRuns({
        owner,
        leaseMs,
        now: clock(),
        reason: 'the replica running it stopped',
        all: false,
      });
      if (failed.length > 0) {
        logger.warn({ runs: failed.map((r) => r.id) }, 'failed runs of a replica that stopped');
        for (const run of failed) feed.publish(run.id);
        dispatcher.kick();
      }
      for (const run of resumable) void scheduler.resume(run.id);
    } catch (error) {
      logger.error({ err: error }, 'taking over runs of stopped replicas failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void pass(), Math.max(1000, Math.floor(leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}

function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new ConfigError(
      `the data folder ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set SWITCHBOARD_DATA_DIR to a folder this user can write`,
    );
  }
}

function createMetrics(journal: {
  counts: () => Promise<{ runs: Record<string, number>; approvals: Record<string, number> }>;
}): Metrics {
  const metrics = new Metrics();
  metrics.counter('switchboard_http_requests_total', 'HTTP requests by route and status');
  metrics.counter('switchboard_outbox_delivered_total', 'Outbox items delivered by kind and channel');
  metrics.counter('switchboard_channel_starts_total', 'Channel starts');
  metrics.histogram(
    'switchboard_provider_latency_seconds',
    'Model provider call latency',
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  metrics.histogram(
    'switchboard_tape_append_seconds',
    'Journal step commit (tape append) latency',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  metrics.gauge('switchboard_runs', 'Runs by state', async () => {
    const counts = await journal.counts();
    return new Map(Object.entries(counts.runs).map(([state, n]) => [`{state="${state}"}`, n]));
  });
  metrics.gauge('switchboard_approvals', 'Approvals by state', async () => {
    const counts = await journal.counts();
    return new Map(Object.entries(counts.approvals).map(([state, n]) => [`{state="${state}"}`, n]));
  });
  return metrics;
}

function metricsChannels(metrics: Metrics, channels: Map<string, Channel>, failed: Set<string>): void {
  metrics.gauge(
    'switchboard_channel_up',
    'Channels connected (1) or failed to start (0) by name',
    () =>
      new Map([
        ...[...channels.keys()].map((name): [string, number] => [`{channel="${name}"}`, 1]),
        ...[...failed].map((name): [string, number] => [`{channel="${name}"}`, 0]),
      ]),
  );
}
