import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The parts of a V8 `.cpuprofile` (as written by `node --cpu-prof`) this summary reads. */
type CpuProfile = {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};

const ROOT = resolve(import.meta.dirname, '../..');

/** Where a frame's code lives: a package name, a file of ours, or V8's own bucket. */
function place(url: string): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  if (path.startsWith('node:')) return path;
  return relative(ROOT, path);
}

/**
 * Self time of one `.cpuprofile` by function and by file or package, counting only the samples
 * after `skipMs` (the start), so the steady loop is what is summarised.
 */
export function summariseProfile(
  file: string,
  options: { skipMs?: number; top?: number } = {},
): { totalMs: number; byFunction: [string, number][]; byPlace: [string, number][] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const skipUs = (options.skipMs ?? 0) * 1000;
  let elapsed = 0;
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (elapsed < skipUs) continue;
    const node = nodes.get(profile.samples[i] ?? -1);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const where = place(url);
    const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    byPlace.set(where, (byPlace.get(where) ?? 0) + delta);
    totalUs += delta;
  }
  const top = (map: Map<string, number>): [string, number][] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, options.top ?? 30)
      .map(([k, v]) => [k, +(v / 1000).toFixed(1)]);
  return { totalMs: +(totalUs / 1000).toFixed(1), byFunction: top(byFunction), byPlace: top(byPlace) };
}

/** `node dist/bench/profile-summary.js <dir or file> [skipMs]`: prints the summary as JSON lines. */
function main(): void {
  const [target, skip] = process.argv.slice(2);
  if (!target) {
    process.stderr.write('usage: profile-summary <dir|file.cpuprofile> [skipMs]\n');
    process.exit(2);
  }
  const files = target.endsWith('.cpuprofile')
    ? [target]
    : readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(target, f));
  for (const file of files) {
    const summary = summariseProfile(file, { skipMs: Number(skip ?? 0), top: 40 });
    process.stdout.write(`${JSON.stringify({ file, total_ms: summary.totalMs })}\n`);
    process.stdout.write('-- by file or package (self ms)\n');
    for (const [k, v] of summary.byPlace) process.stdout.write(`${String(v).padStart(8)}  ${k}\n`);
    process.stdout.write('-- by function (self ms)\n');
    for (const [k, v] of summary.byFunction) process.stdout.write(`${String(v).padStart(8)}  ${k}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
