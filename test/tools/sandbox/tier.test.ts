import { describe, expect, it } from 'vitest';
import { bwrapArgs, detectIsolation, detectIsolationTier } from '../../../src/tools/sandbox/tier.js';

describe('detectIsolationTier', () => {
  it('names a tier and says why, once per process', async () => {
    const info = await detectIsolation();
    expect(['bwrap', 'process-group']).toContain(info.tier);
    expect(info.reason.length).toBeGreaterThan(0);
    expect(info.tier === 'bwrap').toBe(info.bwrapPath !== undefined);
    expect(await detectIsolationTier()).toBe(info.tier);
    expect(detectIsolation()).toBe(detectIsolation());
  });
});

describe('bwrapArgs', () => {
  it('unshares everything, dies with its parent and binds only the workspace writable, after /tmp', () => {
    const args = bwrapArgs('/tmp/ws');
    expect(args.slice(0, 2)).toEqual(['--unshare-all', '--die-with-parent']);
    expect(args.join(' ')).toContain('--ro-bind / /');
    const tmpfs = args.indexOf('--tmpfs');
    const bind = args.indexOf('--bind');
    expect(args.slice(bind, bind + 3)).toEqual(['--bind', '/tmp/ws', '/tmp/ws']);
    expect(bind).toBeGreaterThan(tmpfs);
    expect(args.slice(-2)).toEqual(['--chdir', '/tmp/ws']);
    expect(args).not.toContain('--share-net');
  });
});
