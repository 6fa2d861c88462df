import { pathToFileURL } from 'node:url';
import { statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { loadPolicyEngine } from '../src/policy/cedar-engine.js';
import type { ToolCallQuery } from '../src/policy/engine.js';

/** Options of `benchPolicy`; the defaults keep the whole bench around 3 s. */
export interface PolicyBenchOptions {
  /** How long each contender runs, in ms. */
  durationMs?: number;
  /** Decisions before measuring, so the Wasm code is compiled at its top tier. */
  warmup?: number;
  /** Policy folder and schema; default the shipped ones, relative to the working directory. */
  dir?: string;
  schemaPath?: string;
}

interface Tally {
  ops: number;
  ms: number;
}

/** Runs the contenders in alternating chunks of 200 so they share the same machine weather. */
function measure(durationMs: number, warmup: number, contenders: (() => unknown)[]): Tally[] {
  for (const decide of contenders) for (let i = 0; i < warmup; i++) decide();
  const tallies = contenders.map(() => ({ ops: 0, ms: 0 }));
  const deadline = performance.now() + durationMs * contenders.length;
  while (performance.now() < deadline) {
    for (const [index, decide] of contenders.entries()) {
      const start = performance.now();
      for (let i = 0; i < 200; i++) decide();
      const tally = tallies[index]!;
      tally.ms += performance.now() - start;
      tally.ops += 200;
    }
  }
  return tallies;
}

function query(tool: string, readOnly: boolean): ToolCallQuery {
  return {
    principal: 'discord:123456789',
    tool,
    readOnly,
    argsHash: 'sha256:0f3c',
    sessionId: '01J9ZQ3V6Y8K2M4N6P8R0T2V4X',
    conversation: { platform: 'discord', workspace: 'g1', channel: 'c2' },
  };
}

/**
 * Tool-call decisions per second through `PolicyEngine.decideToolCall` on the shipped policies,
 * next to raw `statefulIsAuthorized` on the identical preparsed request(s), with the ratio. Two
 * cases: `allow` (a read-only tool: one Cedar call) and `ask` (shell_exec: call_tool is denied,
 * then request_tool is permitted, so two Cedar calls on both sides).
 */
export async function benchPolicy(options: PolicyBenchOptions = {}): Promise<Record<string, unknown>[]> {
  const { durationMs = 500, warmup = 1_000 } = options;
  const engine = loadPolicyEngine({
    dir: options.dir ?? 'config/policies',
    schemaPath: options.schemaPath ?? 'config/schema.cedarschema',
    groups: { admins: ['console:root'], approvers: [], members: ['discord:*'] },
  });
  const figures: Record<string, unknown>[] = [];
  for (const [name, q, expected] of [
    ['allow', query('current_time', true), 'allow'],
    ['ask', query('shell_exec', false), 'ask'],
  ] as const) {
    const calls =
      expected === 'allow' ? ['call_tool' as const] : ['call_tool' as const, 'request_tool' as const];
    const requests = calls.map((action) => engine.toolCallRequest(q, action));
    const got = engine.decideToolCall(q);
    if (got.decision !== expected)
      throw new Error(`bench setup: expected ${expected}, got ${JSON.stringify(got)}`);
    // The engine remembers answers per request, so its contender asks a new question each time
    // (fresh arguments hash): the figure is the cost of a real Cedar decision plus the engine's.
    let n = 0;
    const [viaEngine, viaRaw, viaMemo] = measure(durationMs, warmup, [
      () => engine.decideToolCall({ ...q, argsHash: `sha256:${n++}` }),
      () => {
        for (const request of requests) statefulIsAuthorized(request);
      },
      () => engine.decideToolCall(q),
    ]) as [Tally, Tally, Tally];
    const engineOps = Math.round((viaEngine.ops / viaEngine.ms) * 1000);
    const rawOps = Math.round((viaRaw.ops / viaRaw.ms) * 1000);
    figures.push(
      {
        bench: `policy_${name}`,
        impl: 'engine.decideToolCall',
        ops: viaEngine.ops,
        ms: Math.round(viaEngine.ms),
        ops_per_sec: engineOps,
        us_per_decision: Number(((viaEngine.ms * 1000) / viaEngine.ops).toFixed(1)),
      },
      {
        bench: `policy_${name}`,
        impl: `raw_statefulIsAuthorized_x${requests.length}`,
        ops: viaRaw.ops,
        ms: Math.round(viaRaw.ms),
        ops_per_sec: rawOps,
        us_per_decision: Number(((viaRaw.ms * 1000) / viaRaw.ops).toFixed(1)),
      },
      { bench: `policy_${name}`, impl: 'engine_vs_raw', ratio: Number((engineOps / rawOps).toFixed(3)) },
      {
        bench: `policy_${name}`,
        impl: 'engine.decideToolCall_repeated_request',
        ops_per_sec: Math.round((viaMemo.ops / viaMemo.ms) * 1000),
        us_per_decision: Number(((viaMemo.ms * 1000) / viaMemo.ops).toFixed(1)),
      },
    );
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await benchPolicy()) console.log(JSON.stringify(figure));
}
