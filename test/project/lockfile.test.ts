import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: { node?: string };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as LockEntry;

/** Where Node would find `name` from the package at `from` (a lock path), or undefined. */
function resolveInLock(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** The packages named in `field` of some locked package that the lock file has no entry for. */
function missing(field: 'dependencies' | 'optionalDependencies'): string[] {
  const absent: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry[field] ?? {})) {
      if (resolveInLock(path, name) === undefined) absent.push(`${name} (wanted by ${path || 'the root'})`);
    }
  }
  return absent;
}

describe('package-lock.json', () => {
  it('is a v3 lock file whose root matches package.json', () => {
    expect(lock.lockfileVersion).toBe(3);
    const rootEntry = lock.packages[''];
    expect(rootEntry?.dependencies).toEqual(pkg.dependencies);
    expect(rootEntry?.devDependencies).toEqual(pkg.devDependencies);
  });

  // `npm ci` refuses a lock file that lacks any platform's optional package ("Missing:
  // @biomejs/cli-android-arm64 from lock file"), even on a platform that would not install it.
  it('holds every optional dependency of every package, for every platform, so npm ci accepts it', () => {
    expect(missing('optionalDependencies')).toEqual([]);
  });

  it('holds every dependency of every package', () => {
    expect(missing('dependencies')).toEqual([]);
  });

  // `engines` is a promise to whoever installs on the oldest Node it names: every locked package
  // (development tools too, since contributors run them) must accept that Node.
  it('holds only packages that run on the oldest Node that package.json promises', () => {
    const promised = pkg.engines?.node;
    expect(promised).toBeDefined();
    const oldest = semver.minVersion(promised ?? '')?.version ?? '';
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.engines?.node !== undefined)
      .filter(([, entry]) => !semver.satisfies(oldest, entry.engines?.node ?? '*'))
      .map(([path, entry]) => `${path} wants node ${entry.engines?.node}`);
    expect(refusing).toEqual([]);
  });
});
