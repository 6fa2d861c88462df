import { Metrics } from '../http/metrics.js';
import type { Channel } from '../ports/channel.js';

/**
 * The daemon's Prometheus metrics: HTTP requests, deliveries, channel starts, model latency, step
 * commit latency, and runs and approvals by state (read from the journal when scraped).
 */
export function createMetrics(journal: {
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

/** Reports each channel as connected (1) or failed to start (0). */
export function metricsChannels(metrics: Metrics, channels: Map<string, Channel>, failed: Set<string>): void {
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
