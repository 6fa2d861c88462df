/** `file_read {path}`: reads a text file inside the workspace. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import type { Tool } from '../tool.js';
import { resolveInWorkspace } from '../workspace.js';
import { parseArgs } from './args.js';

const schema = z.strictObject({ path: z.string().min(1, 'give a file path inside the workspace') });

/** Settings of `file_read`. */
export interface FileReadOptions {
  /** Used when the run's context names no workspace. */
  workspaceDir: string;
  /** At most this many bytes are returned; the rest is marked truncated. */
  maxBytes: number;
}

/** Creates the read-only `file_read` tool, confined to the workspace. */
export function createFileReadTool(options: FileReadOptions): Tool {
  return {
    name: 'file_read',
    description: `Reads a UTF-8 text file from the workspace folder (path relative to it). Returns at most ${options.maxBytes} bytes.`,
    parameters: {
      type: 'object',
      properties: { path: { type: 'string', description: 'File path relative to the workspace folder' } },
      required: ['path'],
      additionalProperties: false,
    },
    readOnly: true,
    async run(args, ctx) {
      const { path } = parseArgs('file_read', schema, args);
      const real = await resolveInWorkspace(ctx.workspaceDir || options.workspaceDir, path, {
        forWrite: false,
      });
      // The resolved path has no symlinks left; O_NOFOLLOW refuses one swapped in since.
      const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const stat = await handle.stat();
        if (stat.isDirectory()) throw new ValidationError(`"${path}" is a directory; give a file path`);
        if (!stat.isFile()) throw new ValidationError(`"${path}" is not a regular file`);
        const buffer = Buffer.alloc(Math.min(stat.size, options.maxBytes));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        const head = buffer.subarray(0, bytesRead);
        const truncated = stat.size > bytesRead;
        const detail = { path, bytes: stat.size, truncated };
        if (head.includes(0)) {
          return {
            ok: false,
            output: `"${path}" looks binary (${stat.size} bytes); file_read returns text only`,
            detail,
          };
        }
        const note = truncated ? `\n[truncated: showing ${bytesRead} of ${stat.size} bytes]` : '';
        return { ok: true, output: head.toString('utf8') + note, detail };
      } finally {
        await handle.close();
      }
    },
  };
}
