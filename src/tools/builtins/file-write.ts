/** `file_write {path, content}`: writes a text file inside the workspace. */
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import type { Tool } from '../tool.js';
import { resolveInWorkspace } from '../workspace.js';
import { parseArgs } from './args.js';

const schema = z.strictObject({
  path: z.string().min(1, 'give a file path inside the workspace'),
  content: z.string(),
});

/** Settings of `file_write`. */
export interface FileWriteOptions {
  /** Used when the run's context names no workspace. */
  workspaceDir: string;
  /** Content larger than this (UTF-8 bytes) is refused. */
  maxBytes: number;
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** Creates the `file_write` tool (not read-only), confined to the workspace. */
export function createFileWriteTool(options: FileWriteOptions): Tool {
  return {
    name: 'file_write',
    description: `Writes (creates or replaces) a UTF-8 text file in the workspace folder, creating parent folders. At most ${options.maxBytes} bytes.`,
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'File path relative to the workspace folder' },
        content: { type: 'string', description: 'The whole new content of the file' },
      },
      required: ['path', 'content'],
      additionalProperties: false,
    },
    readOnly: false,
    async run(args, ctx) {
      const { path, content } = parseArgs('file_write', schema, args);
      const bytes = Buffer.byteLength(content, 'utf8');
      if (bytes > options.maxBytes) {
        throw new ValidationError(
          `content of ${bytes} bytes is over the file_write limit of ${options.maxBytes} bytes`,
        );
      }
      const root = ctx.workspaceDir || options.workspaceDir;
      await mkdir(root, { recursive: true });
      const real = await resolveInWorkspace(root, path, { forWrite: true });
      await mkdir(dirname(real), { recursive: true });
      // Check again now that the parents exist: one may have been swapped for a symlink meanwhile.
      const again = await resolveInWorkspace(root, path, { forWrite: true });
      if (again !== real) throw new ValidationError(`"${path}" changed while writing; try again`);
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(
          real,
          constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
          0o644,
        );
      } catch (err) {
        if (errnoCode(err) === 'EISDIR')
          throw new ValidationError(`"${path}" is a directory; give a file path`);
        if (errnoCode(err) === 'ELOOP')
          throw new ValidationError(`"${path}" is a symlink; file_write does not follow it`);
        throw err;
      }
      try {
        await handle.writeFile(content, 'utf8');
      } finally {
        await handle.close();
      }
      return { ok: true, output: `wrote ${bytes} bytes to ${path}`, detail: { path, bytes } };
    },
  };
}
