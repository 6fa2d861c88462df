import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildAgents } from '../agents/directory.js';
import { ScheduleRunner } from '../agents/schedules.js';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { ConsoleChannel } from '../gateway/console-channel.js';
import type { GatewayRuntimeState } from '../gateway/runtime.js';
import { ensureAdminToken } from '../http/admin-token.js';
import { loadConsoleUsers } from '../http/console/index.js';
import { buildHttpServer } from '../http/server.js';
import { openJournal } from '../journal/open.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { loadPolicyEngine } from '../policy/cedar-engine.js';
import { watchPolicies } from '../policy/watch.js';
import type { Channel } from '../ports/channel.js';
import { selectProvider } from '../providers/select.js';
import { StartupPhases } from '../startup-phases.js';
import {
  assertWorkspacePlacement,
  buildDaemonTools,
  detectIsolation,
  resolveWorkspaceDir,
} from '../tools/index.js';
import { channelSecretKeys } from './channel-registry.js';
import {
  createPlatformChannels,
  parseChannelAccess,
  parseChannelSettings,
  startChannels,
} from './channels.js';
import { assembleCore } from './core.js';
import { startHousekeeping } from './housekeeping.js';
import { instrumentJournal } from './instrument-journal.js';
import { runLeaseMs } from './lease.js';
import { wireMemory } from './memory.js';
import { createMetrics, metricsChannels } from './metrics.js';
import { followOtherReplicas, startTakeOver } from './replicas.js';
import { traceJournal } from './trace-journal.js';

/** A running daemon. */
export interface Daemon {
  /** Base URL of the HTTP API. */
  url: string;
  gateway: GatewayRuntimeState;
  logger: Logger;
  /** Stops channels, HTTP, the scheduler and closes the journal. */
  stop(): Promise<void>;
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
  const channelSettings = parseChannelSettings(config.channels, env.configPath);
  const channelAccess = parseChannelAccess(config.channels, env.configPath);
  const logger = createLogger({
    level: processEnv.SWITCHBOARD_LOG_LEVEL ?? config.logging.level,
    secretKeys: channelSecretKeys(),
  });
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
  const agents = buildAgents(config, {
    env: processEnv,
    base: {
      ...selection,
      ...(config.provider.model ? { model: config.provider.model } : {}),
      ...(config.provider.base_url ? { baseURL: config.provider.base_url } : {}),
      ...(env.openai.apiKey ? { apiKey: env.openai.apiKey } : {}),
    },
  });
  if (agents.list().length > 1) {
    logger.info(
      { agents: agents.list().map((a) => ({ name: a.name, model: a.providerDescription })) },
      `${agents.list().length} agents; bindings route new sessions`,
    );
  }
  if (selection.offline) {
    logger.warn(
      {},
      'no model configured: using the built-in offline provider (echo; "tool: <name> <json>" calls a tool). Set SWITCHBOARD_MODEL and OPENAI_BASE_URL/OPENAI_API_KEY to use a real model.',
    );
  }

  const {
    registry: tools,
    sandbox,
    mcp,
  } = await buildDaemonTools({
    tools: config.tools,
    workspaceDir,
    isolation,
    logger,
    mcpServers: config.mcp_servers,
    env: processEnv,
  });
  phases.mark('tools');
  const channels = new Map<string, Channel>();
  const memory = await wireMemory({
    channels,
    config,
    dataDir: env.dataDir,
    ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}),
    policy,
    journal,
    tools,
    logger,
    maxToolOutputChars: config.tools.max_output,
    ...(env.openai.apiKey ? { apiKey: env.openai.apiKey } : {}),
  });
  phases.mark('memory');

  const metrics = createMetrics(journal);
  // The core's view of the journal: step commits timed; with replicas, outbox claims only for
  // the channels this replica has connected.
  const coreJournal = instrumentJournal(journal, {
    onCommit: (ms) => metrics.observe('switchboard_tape_append_seconds', ms / 1000),
    ...(shared ? { heldChannels: () => channels.keys() } : {}),
  });
  const owner = `sb-${newId()}`;
  // OpenTelemetry run traces, read off the journal's writes, when a collector is configured; the
  // SDK is loaded only then (it costs memory and start time).
  const tracing =
    processEnv.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || processEnv.OTEL_EXPORTER_OTLP_ENDPOINT
      ? (await import('./tracing.js')).tracingFromEnvironment(processEnv)
      : undefined;
  if (tracing) logger.info({}, 'OpenTelemetry: one trace per run, exported over OTLP/HTTP');
  const { gateway, scheduler, dispatcher, feed, wakeups, grants } = assembleCore({
    journal: tracing ? traceJournal(coreJournal, tracing.tracer, tracing.startRoot) : coreJournal,
    policy,
    agents,
    bindings: config.bindings,
    sandboxSummary: sandbox.summary,
    tools,
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
    mcpServers: () => mcp.status(),
    grantPolicies: policy,
    onDelivered: (item) =>
      metrics.inc('switchboard_outbox_delivered_total', { kind: item.kind, channel: item.channel }),
    channelAccess,
  });
  // The memberships and linked identities of the journal join `groups:` before anyone is served.
  await gateway.start();

  // The remembered "Always allow" grants are in force before any run is decided.
  await grants?.reload();

  const adminToken = ensureAdminToken(env.dataDir, env.adminToken);
  if (adminToken.source !== 'environment') {
    logger.info(
      { path: adminToken.path },
      `admin token ${adminToken.source === 'generated' ? 'generated and ' : ''}stored in ${adminToken.path}`,
    );
  }

  if (config.channels.console.enabled) channels.set('console', new ConsoleChannel());
  for (const channel of await createPlatformChannels(channelSettings, processEnv, gateway, logger))
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

  const { singletons, failed } = await startChannels({
    channels,
    journal,
    owner,
    leaseMs,
    clock,
    logger,
    onStart: (name) => metrics.inc('switchboard_channel_starts_total', { channel: name }),
  });
  metricsChannels(metrics, channels, failed);
  mcp.start();
  scheduler.start();
  dispatcher.start();
  for (const run of recovered.resumable) wakeups.announce({ type: 'run_resumable', runId: run.id });
  const stopTakeOver = shared ? startTakeOver({ journal, wakeups, owner, leaseMs, clock, logger }) : () => {};
  const unwatch = followOtherReplicas(journal, wakeups);
  const stopHousekeeping = startHousekeeping({ journal, retention: config.retention, clock, logger });
  const schedules = new ScheduleRunner({
    schedules: config.schedules,
    journal,
    receive: (message) => gateway.receive(message),
    owner,
    clock,
    logger,
  });
  await schedules.start();
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
      grants?.stop();
      schedules.stop();
      unwatch();
      stopTakeOver();
      await stopHousekeeping();
      for (const lease of singletons) await lease.stop();
      for (const channel of channels.values()) await channel.stop().catch(() => {});
      await http.close();
      await scheduler.abortAll();
      await dispatcher.stop();
      await mcp.stop();
      await journal.recordEvent('daemon.stopped', { owner }, clock()).catch(() => {});
      await journal.close();
      await tracing?.shutdown().catch(() => {});
      await memory.close();
    })();
    return stopping;
  };
  return { url, gateway, logger, stop };
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
