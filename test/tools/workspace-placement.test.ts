/**
 * The workspace never holds what the daemon guards: it may not overlap the data folder (admin
 * token, journal) nor contain the config file or the Cedar policies — checked at start, before
 * anything is opened.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/app/daemon.js';
import { ConfigError } from '../../src/core/errors.js';
import { assertWorkspacePlacement, resolveWorkspaceDir } from '../../src/tools/workspace-placement.js';

let root: string;
beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'switchboard-placement-')));
  await mkdir(join(root, 'data'));
  await mkdir(join(root, 'config', 'policies'), { recursive: true });
  await writeFile(join(root, 'config', 'switchboard.yaml'), '');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const guarded = () => ({
  dataDir: join(root, 'data'),
  configPath: join(root, 'config', 'switchboard.yaml'),
  policyDir: join(root, 'config', 'policies'),
  policySchema: join(root, 'config', 'schema.cedarschema'),
});

describe('resolveWorkspaceDir', () => {
  it('resolves the default "workspace" against the working directory, not the data folder', () => {
    expect(resolveWorkspaceDir('workspace', '/srv/switchboard')).toBe('/srv/switchboard/workspace');
    expect(resolveWorkspaceDir('workspace')).toBe(resolve(process.cwd(), 'workspace'));
    expect(resolveWorkspaceDir('/workspace', '/srv/switchboard')).toBe('/workspace');
  });
});

describe('assertWorkspacePlacement', () => {
  it('accepts ./workspace next to ./data and ./config', () => {
    expect(() => assertWorkspacePlacement(join(root, 'workspace'), guarded())).not.toThrow();
  });

  it('refuses a workspace inside the data folder with a ConfigError naming both paths', () => {
    const ws = join(root, 'data', 'workspace');
    expect(() => assertWorkspacePlacement(ws, guarded())).toThrow(ConfigError);
    expect(() => assertWorkspacePlacement(ws, guarded())).toThrow(
      `the workspace ${ws} lies inside the data folder ${join(root, 'data')}`,
    );
  });

  it('refuses a workspace that contains the data folder (and with it the admin token and the journal)', () => {
    expect(() => assertWorkspacePlacement(root, { ...guarded(), configPath: '/elsewhere.yaml' })).toThrow(
      new RegExp(`the workspace ${root} contains the data folder ${join(root, 'data')}.*set tools.workspace`),
    );
  });

  it('refuses the data folder itself as the workspace', () => {
    expect(() => assertWorkspacePlacement(join(root, 'data'), guarded())).toThrow(/the data folder/);
  });

  it('refuses a workspace that contains the config file', () => {
    const { dataDir: _data, ...rest } = guarded();
    expect(() => assertWorkspacePlacement(join(root, 'config'), { ...rest, dataDir: '/var/lib/sb' })).toThrow(
      `the workspace ${join(root, 'config')} contains the config file ${join(root, 'config', 'switchboard.yaml')}`,
    );
  });

  it('refuses a workspace that contains the policy folder, which a shell could rewrite', () => {
    const ws = join(root, 'config');
    expect(() =>
      assertWorkspacePlacement(ws, { ...guarded(), dataDir: '/var/lib/sb', configPath: '/etc/sb.yaml' }),
    ).toThrow(`contains the policy folder ${join(root, 'config', 'policies')}`);
  });

  it('follows symlinks: a workspace that is a link into the data folder is refused', async () => {
    await mkdir(join(root, 'data', 'inner'));
    await symlink(join(root, 'data', 'inner'), join(root, 'ws-link'));
    expect(() => assertWorkspacePlacement(join(root, 'ws-link'), guarded())).toThrow(
      /lies inside the data folder/,
    );
  });

  it('a folder whose name merely starts like the data folder is not inside it', () => {
    expect(() => assertWorkspacePlacement(join(root, 'data-workspace'), guarded())).not.toThrow();
  });
});

describe('startDaemon', () => {
  it('refuses to start when tools.workspace lies inside the data folder, with a ConfigError naming both', async () => {
    const data = join(root, 'data');
    const configPath = join(root, 'config', 'switchboard.yaml');
    await writeFile(configPath, `tools:\n  workspace: ${join(data, 'workspace')}\n`);
    const start = startDaemon({
      SWITCHBOARD_CONFIG: configPath,
      SWITCHBOARD_DATA_DIR: data,
      SWITCHBOARD_HTTP_PORT: '0',
    });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(
      `the workspace ${join(data, 'workspace')} lies inside the data folder ${data}`,
    );
  });
});
