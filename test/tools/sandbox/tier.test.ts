import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../../src/tools/sandbox/bwrap-args.js';
import { detectIsolation, probeIsolation } from '../../../src/tools/sandbox/tier.js';

describe('detectIsolation', () => {
  it('finds bubblewrap or no isolation, says why, and probes once per process', async () => {
    const info = await detectIsolation();
    expect(['bwrap', 'none']).toContain(info.tier);
    expect(info.reason.length).toBeGreaterThan(0);
    if (info.tier === 'bwrap') expect(info.bwrapPath).toMatch(/^\//);
    expect(detectIsolation()).toBe(detectIsolation());
  });
});

describe('probeIsolation checks that bubblewrap works, not that a binary exists', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-fake-bwrap-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** An executable at `dir/bwrap` with the given shell body. */
  async function fakeBwrap(body: string): Promise<string> {
    const path = join(dir, 'bwrap');
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('no bwrap: no isolation, and the reason says to install bubblewrap', async () => {
    expect(await probeIsolation(undefined)).toEqual({
      tier: 'none',
      reason: expect.stringContaining('install bubblewrap'),
    });
  });

  it('a bwrap that cannot create namespaces (as under Docker seccomp) is no isolation, with its error', async () => {
    const path = await fakeBwrap(
      "echo 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces' >&2; exit 1",
    );
    const info = await probeIsolation(path);
    expect(info.tier).toBe('none');
    expect(info.reason).toContain(`bwrap at ${path} cannot create its sandbox`);
    expect(info.reason).toContain('No permissions to creating new namespace');
  });

  it('a bwrap that exits 0 without running the command in the workspace is no isolation', async () => {
    const info = await probeIsolation(await fakeBwrap('exit 0'));
    expect(info.tier).toBe('none');
    expect(info.reason).toMatch(/did not run in the workspace/);
  });

  it('passes the real sandbox arguments, around a real temporary workspace', async () => {
    const log = join(dir, 'args.txt');
    await probeIsolation(await fakeBwrap(`printf '%s\\n' "$@" > ${log}; exit 1`));
    const args = (await readFile(log, 'utf8')).trim().split('\n');
    const bind = args.indexOf('--bind');
    const workspace = args[bind + 1]!;
    expect(workspace).toMatch(/switchboard-probe-/);
    expect(args.slice(0, args.indexOf('--'))).toEqual(bwrapArgs(workspace));
    expect(args.slice(args.indexOf('--') + 1, args.indexOf('--') + 3)).toEqual(['/bin/sh', '-c']);
  });
});

describe('bwrapArgs', () => {
  const args = bwrapArgs('/srv/ws');
  const pairs = (flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

  it('unshares everything, drops capabilities, starts a new session and dies with its parent', () => {
    expect(args.slice(0, 5)).toEqual([
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
    ]);
    expect(args).not.toContain('--share-net');
  });

  it('binds no host folder but /usr, the system library and binary folders and allow-listed /etc entries', () => {
    const allowed = /^\/(usr|bin|sbin|lib|lib32|lib64|libx32)$|^\/etc\/[^/]+$/;
    expect(pairs('--ro-bind').filter((src) => !allowed.test(src ?? ''))).toEqual([]);
    expect(pairs('--ro-bind')).toContain('/usr');
    expect(pairs('--ro-bind')).not.toContain('/');
    expect(pairs('--ro-bind')).not.toContain('/etc/shadow');
    expect(pairs('--bind')).toEqual(['/srv/ws']);
  });

  it('mounts the workspace after the fresh /tmp, then makes the root read-only and enters the workspace', () => {
    expect(args.indexOf('--bind')).toBeGreaterThan(args.indexOf('--tmpfs'));
    expect(args.slice(-4)).toEqual(['--remount-ro', '/', '--chdir', '/srv/ws']);
  });
});
