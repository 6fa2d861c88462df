import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { createFileReadTool } from '../../../src/tools/builtins/file-read.js';
import { createFileWriteTool } from '../../../src/tools/builtins/file-write.js';
import { fakeContext, makeWorkspace } from '../fake-context.js';

let base: string;
let ws: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ base, workspace: ws, cleanup } = await makeWorkspace());
  await writeFile(join(base, 'secret.txt'), 'TOP SECRET');
});
afterEach(() => cleanup());

const reader = () => createFileReadTool({ workspaceDir: ws, maxBytes: 16 });
const writer = () => createFileWriteTool({ workspaceDir: ws, maxBytes: 32 });

describe('file_read', () => {
  it('reads a text file in the workspace, read-only', async () => {
    await writeFile(join(ws, 'a.txt'), 'hello');
    const tool = reader();
    expect(tool.readOnly).toBe(true);
    expect(await tool.run({ path: 'a.txt' }, fakeContext(ws))).toEqual({
      ok: true,
      output: 'hello',
      detail: { path: 'a.txt', bytes: 5, truncated: false },
    });
  });

  it('caps the size and marks truncated', async () => {
    await writeFile(join(ws, 'long.txt'), 'x'.repeat(100));
    const result = await reader().run({ path: 'long.txt' }, fakeContext(ws));
    expect(result.output).toBe(`${'x'.repeat(16)}\n[truncated: showing 16 of 100 bytes]`);
    expect(result.detail).toMatchObject({ truncated: true, bytes: 100 });
  });

  it('refuses a ".." escape', async () => {
    await expect(reader().run({ path: '../secret.txt' }, fakeContext(ws))).rejects.toThrow(
      /leaves the workspace/,
    );
  });

  it('refuses an absolute path outside the workspace', async () => {
    await expect(reader().run({ path: '/etc/passwd' }, fakeContext(ws))).rejects.toThrow(
      /outside the workspace/,
    );
  });

  it('refuses a symlink pointing out of the workspace', async () => {
    await symlink(join(base, 'secret.txt'), join(ws, 'innocent.txt'));
    await symlink(base, join(ws, 'updir'));
    await expect(reader().run({ path: 'innocent.txt' }, fakeContext(ws))).rejects.toThrow(/symlink/);
    await expect(reader().run({ path: 'updir/secret.txt' }, fakeContext(ws))).rejects.toThrow(/symlink/);
  });

  it('says so for a missing file, a directory and a binary file', async () => {
    await mkdir(join(ws, 'dir'));
    await writeFile(join(ws, 'bin'), Buffer.from([1, 0, 2]));
    await expect(reader().run({ path: 'missing.txt' }, fakeContext(ws))).rejects.toThrow(/does not exist/);
    await expect(reader().run({ path: 'dir' }, fakeContext(ws))).rejects.toThrow(/is a directory/);
    expect((await reader().run({ path: 'bin' }, fakeContext(ws))).output).toMatch(/binary/);
  });

  it('validates its arguments with a clear message', async () => {
    await expect(reader().run({}, fakeContext(ws))).rejects.toThrow(ValidationError);
    await expect(reader().run({ path: 3 }, fakeContext(ws))).rejects.toThrow(
      /bad arguments for file_read: path/,
    );
  });
});

describe('file_write', () => {
  it('writes a file and creates parent folders inside the workspace, not read-only', async () => {
    const tool = writer();
    expect(tool.readOnly).toBe(false);
    const result = await tool.run({ path: 'notes/today/a.md', content: 'hi ✓' }, fakeContext(ws));
    expect(result).toMatchObject({ ok: true, detail: { bytes: 6 } });
    expect(await readFile(join(ws, 'notes/today/a.md'), 'utf8')).toBe('hi ✓');
  });

  it('replaces an existing file', async () => {
    await writeFile(join(ws, 'a.txt'), 'old content that is long');
    await writer().run({ path: 'a.txt', content: 'new' }, fakeContext(ws));
    expect(await readFile(join(ws, 'a.txt'), 'utf8')).toBe('new');
  });

  it('refuses content over the size cap', async () => {
    await expect(writer().run({ path: 'a.txt', content: 'x'.repeat(33) }, fakeContext(ws))).rejects.toThrow(
      /over the file_write limit of 32 bytes/,
    );
  });

  it('refuses a ".." escape and an absolute path outside', async () => {
    await expect(writer().run({ path: '../evil.txt', content: 'x' }, fakeContext(ws))).rejects.toThrow(
      /leaves/,
    );
    await expect(
      writer().run({ path: join(base, 'evil.txt'), content: 'x' }, fakeContext(ws)),
    ).rejects.toThrow(/outside/);
  });

  it('refuses a symlink pointing out of the workspace', async () => {
    await symlink(join(base, 'secret.txt'), join(ws, 'innocent.txt'));
    await symlink(base, join(ws, 'updir'));
    await symlink(join(base, 'new.txt'), join(ws, 'dangling.txt'));
    for (const path of ['innocent.txt', 'updir/new/evil.txt', 'dangling.txt']) {
      await expect(writer().run({ path, content: 'pwned' }, fakeContext(ws))).rejects.toThrow(/symlink/);
    }
    expect(await readFile(join(base, 'secret.txt'), 'utf8')).toBe('TOP SECRET');
  });

  it('refuses writing over a directory', async () => {
    await mkdir(join(ws, 'dir'));
    await expect(writer().run({ path: 'dir', content: 'x' }, fakeContext(ws))).rejects.toThrow(/directory/);
  });

  it('validates its arguments with a clear message', async () => {
    await expect(writer().run({ path: 'a.txt' }, fakeContext(ws))).rejects.toThrow(
      /bad arguments for file_write: content/,
    );
  });
});
