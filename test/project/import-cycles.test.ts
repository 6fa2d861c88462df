import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typeScriptFilesUnder } from '../support/source-files.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCANNED = ['src', 'channels'];

/**
 * Every static `import … from`, side-effect `import '…'` and `export … from` at the start of a
 * line, `import type` and `export type` included. Dynamic `import()` is lazy loading, not a cycle.
 */
const STATIC_IMPORT = /^[ \t]*(?:import|export)\b(?:[^'";]*?\bfrom)?\s*['"]([^'"\n]+)['"]/gm;

/** The module specifiers a source text imports statically. */
function specifiers(source: string): string[] {
  return [...source.matchAll(STATIC_IMPORT)].map((match) => match[1] ?? '');
}

/** The `.ts` file a relative specifier of `from` names, or undefined for packages and assets. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(from), specifier);
  const candidates = target.endsWith('.js')
    ? [`${target.slice(0, -3)}.ts`]
    : [`${target}.ts`, join(target, 'index.ts')];
  return candidates.find((file) => existsSync(file));
}

/** The import graph of `files`: each file to the scanned files it imports. */
function importGraph(files: readonly string[], read: (file: string) => string): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiers(read(file))
      .map((specifier) => resolveSpecifier(file, specifier) ?? specifier)
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The shortest path of edges from `start` back to `start`, or undefined when there is none. */
function shortestCycleThrough(graph: ReadonlyMap<string, string[]>, start: string): string[] | undefined {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (previous.has(next)) continue;
      previous.set(next, node);
      queue.push(next);
    }
  }
  return undefined;
}

/**
 * The import cycles of a graph: for every file on a cycle, the shortest cycle through it, each
 * cycle listed once (rotated to start at its smallest name) as `a → b → a`.
 */
function findCycles(graph: ReadonlyMap<string, string[]>): string[] {
  const seen = new Set<string>();
  for (const node of graph.keys()) {
    const cycle = shortestCycleThrough(graph, node);
    if (!cycle) continue;
    const smallest = cycle.indexOf([...cycle].sort()[0]!);
    const rotated = [...cycle.slice(smallest), ...cycle.slice(0, smallest)];
    seen.add([...rotated, rotated[0]].join(' → '));
  }
  return [...seen].sort();
}

/**
 * The folder a file belongs to for layering: `src/<folder>` and `channels/<platform>`; a file
 * directly under `src/` (the entry point, the public barrel) is its own node.
 */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

/** The graph of folders: an edge wherever a file of one imports a file of another. */
function folderGraph(files: ReadonlyMap<string, string[]>): Map<string, string[]> {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) edges.add(folderOf(target));
    graph.set(from, edges);
  }
  return new Map([...graph].map(([folder, edges]) => [folder, [...edges]]));
}

/** The import graph of the scanned folders, named by path from the repository root. */
function projectGraph(): Map<string, string[]> {
  const files = SCANNED.flatMap((dir) => typeScriptFilesUnder(join(ROOT, dir)));
  const graph = importGraph(files, (file) => readFileSync(file, 'utf8'));
  return new Map(
    [...graph].map(([file, targets]) => [
      relative(ROOT, file),
      targets.map((target) => relative(ROOT, target)),
    ]),
  );
}

describe('the import graph of src/ and channels/', () => {
  it('has no import cycles', () => {
    expect(findCycles(projectGraph())).toEqual([]);
  });

  it('has no cycles between folders either: each layer imports the next one way', () => {
    const folders = folderGraph(projectGraph());
    expect(folders.get('src/runtime')).toBeDefined();
    expect(findCycles(folders)).toEqual([]);
  });

  it('the folder check sees a cycle that no single pair of files makes', () => {
    const files = new Map([
      ['src/a/one.ts', ['src/b/one.ts']],
      ['src/b/one.ts', []],
      ['src/b/two.ts', ['src/a/two.ts']],
      ['src/a/two.ts', []],
      ['src/index.ts', ['src/a/one.ts']],
    ]);
    expect(findCycles(files)).toEqual([]);
    expect(findCycles(folderGraph(files))).toEqual(['src/a → src/b → src/a']);
  });

  it('the check itself sees every static import form and finds a cycle', () => {
    const sources: Record<string, string> = {
      '/p/a.ts': ["import type { B } from './b.js';", "export { c } from './c.js';"].join('\n'),
      '/p/b.ts': ['import {', '  type A,', '  a,', "} from './a.js';", "import 'node:fs';"].join('\n'),
      '/p/c.ts': ["export * from './d.js';", "const lazy = () => import('./a.js');"].join('\n'),
      '/p/d.ts': ['/** Nothing imported here. */', 'export const text = \'import x from "./c.js"\';'].join(
        '\n',
      ),
    };
    const files = Object.keys(sources);
    const read = (file: string): string => sources[file] ?? '';
    // resolveSpecifier checks the disk, so resolve by hand: the graph of the sketch above.
    const graph = new Map(
      files.map((file) => [
        file,
        specifiers(read(file))
          .filter((specifier) => specifier.startsWith('./'))
          .map((specifier) => `/p/${specifier.slice(2, -3)}.ts`),
      ]),
    );
    expect(graph.get('/p/a.ts')).toEqual(['/p/b.ts', '/p/c.ts']);
    expect(graph.get('/p/b.ts')).toEqual(['/p/a.ts']);
    expect(graph.get('/p/c.ts')).toEqual(['/p/d.ts']);
    expect(graph.get('/p/d.ts')).toEqual([]);
    expect(findCycles(graph)).toEqual(['/p/a.ts → /p/b.ts → /p/a.ts']);
    expect(importGraph(files, read).size).toBe(files.length);
  });
});
