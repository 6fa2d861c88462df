import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { resolveInWorkspace } from '../../src/tools/workspace.js';
import { makeWorkspace } from './fake-context.js';

let base: string;
let ws: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ base, workspace: ws, cleanup } = await makeWorkspace());
  await writeFile(join(base, 'secret.txt'), 'outside');
  await writeFile(join(ws, 'inside.txt'), 'inside');
});
afterEach(() => cleanup());

const read = { forWrite: false };
const write = { forWrite: true };

describe('resolveInWorkspace', () => {
  it('resolves a relative path inside the workspace', async () => {
    expect(await resolveInWorkspace(ws, 'inside.txt', read)).toBe(join(ws, 'inside.txt'));
    expect(await resolveInWorkspace(ws, 'sub/../inside.txt', read)).toBe(join(ws, 'inside.txt'));
  });

  it('accepts an absolute path inside the workspace', async () => {
    expect(await resolveInWorkspace(ws, join(ws, 'inside.txt'), read)).toBe(join(ws, 'inside.txt'));
  });

  it('refuses a ".." escape', async () => {
    await expect(resolveInWorkspace(ws, '../secret.txt', read)).rejects.toThrow(/leaves the workspace/);
    await expect(resolveInWorkspace(ws, 'a/../../secret.txt', write)).rejects.toThrow(ValidationError);
  });

  it('refuses an absolute path outside the workspace', async () => {
    await expect(resolveInWorkspace(ws, '/etc/passwd', read)).rejects.toThrow(/is outside the workspace/);
    await expect(resolveInWorkspace(ws, join(base, 'secret.txt'), write)).rejects.toThrow(/outside/);
  });

  it('refuses a file symlink that points outside', async () => {
    await symlink(join(base, 'secret.txt'), join(ws, 'link.txt'));
    await expect(resolveInWorkspace(ws, 'link.txt', read)).rejects.toThrow(/symlink/);
    await expect(resolveInWorkspace(ws, 'link.txt', write)).rejects.toThrow(/symlink/);
  });

  it('refuses a new file under a directory symlink that points outside', async () => {
    await symlink(base, join(ws, 'up'));
    await expect(resolveInWorkspace(ws, 'up/new/file.txt', write)).rejects.toThrow(/symlink/);
  });

  it('refuses writing through a dangling symlink', async () => {
    await symlink(join(base, 'not-yet.txt'), join(ws, 'dangling'));
    await expect(resolveInWorkspace(ws, 'dangling', write)).rejects.toThrow(/does not exist/);
    await expect(resolveInWorkspace(ws, 'dangling', read)).rejects.toThrow(/symlink/);
  });

  it('allows a symlink that stays inside', async () => {
    await mkdir(join(ws, 'real'));
    await symlink(join(ws, 'real'), join(ws, 'alias'));
    expect(await resolveInWorkspace(ws, 'alias/new.txt', write)).toBe(join(ws, 'real', 'new.txt'));
  });

  it('works when the workspace itself is reached through a symlink', async () => {
    await symlink(ws, join(base, 'ws-link'));
    const viaLink = join(base, 'ws-link');
    expect(await resolveInWorkspace(viaLink, 'inside.txt', read)).toBe(join(ws, 'inside.txt'));
    await expect(resolveInWorkspace(viaLink, '../secret.txt', read)).rejects.toThrow(/leaves/);
  });

  it('reports a missing file for reads but allows it for writes', async () => {
    await expect(resolveInWorkspace(ws, 'nope.txt', read)).rejects.toThrow(/does not exist in the workspace/);
    expect(await resolveInWorkspace(ws, 'new/dir/file.txt', write)).toBe(join(ws, 'new/dir/file.txt'));
  });

  it('refuses empty paths and NUL bytes', async () => {
    await expect(resolveInWorkspace(ws, '  ', read)).rejects.toThrow(/empty/);
    await expect(resolveInWorkspace(ws, 'a\0b', write)).rejects.toThrow(/NUL/);
  });
});
