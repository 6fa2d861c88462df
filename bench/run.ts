import { benchDaemon } from './daemon.js';
import { benchPolicy } from './policy.js';
import { benchTapeAppend } from './tape-append.js';

type Bench = { name: string; run: () => Promise<Record<string, unknown>[]> };

/** Optional benchmarks contributed by other modules, loaded when present. */
async function optional(name: string, path: string, exported: string): Promise<Bench[]> {
  try {
    const module = (await import(path)) as Record<string, () => Promise<Record<string, unknown>[]>>;
    const fn = module[exported];
    return fn ? [{ name, run: fn }] : [];
  } catch {
    return [];
  }
}

/** `npm run bench`: every benchmark, one JSON object per line on stdout. */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const benches: Bench[] = [
    { name: 'tape', run: () => benchTapeAppend() },
    { name: 'policy', run: () => benchPolicy() },
    { name: 'daemon', run: () => benchDaemon() },
    ...(await optional('memory', './memory.js', 'benchMemory')),
    ...(await optional('replicas', './replicas.js', 'benchReplicas')),
    ...(await optional('approvals', './approvals.js', 'benchApprovals')),
    ...(await optional('streaming', './streaming.js', 'benchStreaming')),
    ...(await optional('mcp', './mcp.js', 'benchMcp')),
    ...(await optional('compaction', './compaction.js', 'benchCompaction')),
    ...(await optional('retention', './retention.js', 'benchRetention')),
  ];
  for (const bench of benches) {
    if (only.length > 0 && !only.includes(bench.name)) continue;
    try {
      for (const figure of await bench.run()) process.stdout.write(`${JSON.stringify(figure)}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ bench: bench.name, error: (error as Error).message })}\n`);
      process.exitCode = 1;
    }
  }
}

void main();
