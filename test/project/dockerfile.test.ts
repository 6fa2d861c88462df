import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const buildStage = dockerfile.split(/^FROM /m)[1] ?? '';

/** The sources of the build stage's `COPY` lines (not `COPY --from`). */
function copiedPaths(): string[] {
  return [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the Dockerfile builds from what it copies', () => {
  it('installs from the lock file with npm ci', () => {
    expect(buildStage).toMatch(/^RUN npm ci\b/m);
    expect(copiedPaths()).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
  });

  it('copies every file and folder the image build compiles', () => {
    const copied = copiedPaths();
    for (const path of copied) expect([path, existsSync(join(root, path))]).toEqual([path, true]);
    expect(buildStage).toMatch(/npm run build:app/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['build:app']).toContain('tsconfig.app.json');
    const app = JSON.parse(readFileSync(join(root, 'tsconfig.app.json'), 'utf8')) as { include: string[] };
    for (const included of app.include) expect(copied).toContain(included);
  });

  // The image holds src/ and channels/ only: an import that reaches tests or benchmarks from
  // there breaks `docker build` (it did once, when bench/ imported test/support/).
  it('compiles src/ and channels/ without anything outside them', () => {
    const outside: string[] = [];
    for (const file of [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'channels'))]) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative(root, resolve(dirname(file), match[1] ?? ''));
        if (!target.startsWith('src/') && !target.startsWith('channels/'))
          outside.push(`${relative(root, file)} imports ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
