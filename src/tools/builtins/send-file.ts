/** `send_file {path, caption?}`: sends a file of the workspace back to the chat as an attachment. */
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, extname, relative } from 'node:path';
import { z } from 'zod';
import type { FilePayload } from '../../core/types.js';
import type { Tool } from '../tool.js';
import { resolveInWorkspace } from '../workspace.js';
import { parseArgs } from './args.js';

const schema = z.strictObject({
  path: z.string().min(1, 'give a file path inside the workspace'),
  caption: z.string().max(1_000).optional(),
});

/** Settings of `send_file`. */
export interface SendFileOptions {
  /** Used when the run's context names no workspace. */
  workspaceDir: string;
  /** The largest file sent; 8 MiB by default, under every platform's bot upload limit. */
  maxBytes?: number;
}

/** The tool output detail the run executor turns into a `file` outbox item. */
export interface SendFileDetail {
  sendFile: FilePayload;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

const MIME_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.zip': 'application/zip',
};

/**
 * Creates `send_file`: the file (inside the workspace, at most `maxBytes`) is delivered to the
 * conversation of the run through the outbox, durably, as a real attachment. It only shows the
 * asking conversation a workspace file, as a reply quoting it would, so it is read-only.
 */
export function createSendFileTool(options: SendFileOptions): Tool {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return {
    name: 'send_file',
    description: `Sends a file from the workspace folder (path relative to it) to this chat as an attachment, at most ${maxBytes} bytes. Optional caption.`,
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'File path relative to the workspace folder' },
        caption: { type: 'string', description: 'A short text shown with the file' },
      },
      required: ['path'],
      additionalProperties: false,
    },
    readOnly: true,
    async run(args, ctx) {
      const { path, caption } = parseArgs('send_file', schema, args);
      const root = ctx.workspaceDir || options.workspaceDir;
      const real = await resolveInWorkspace(root, path, { forWrite: false });
      const info = await stat(real);
      if (!info.isFile()) return { ok: false, output: `${path} is not a file` };
      if (info.size === 0) return { ok: false, output: `${path} is empty` };
      if (info.size > maxBytes)
        return { ok: false, output: `${path} has ${info.size} bytes; at most ${maxBytes} can be sent` };
      const name = basename(real);
      const mimeType = MIME_TYPES[extname(name).toLowerCase()];
      const file: FilePayload = {
        path: relative(await realpath(root), real),
        name,
        size: info.size,
        ...(mimeType ? { mimeType } : {}),
        ...(caption ? { caption } : {}),
      };
      const detail: SendFileDetail = { sendFile: file };
      return {
        ok: true,
        output: `${name} (${info.size} bytes) will be sent to the chat.`,
        detail: { ...detail },
      };
    },
  };
}

/**
 * Reads a file `send_file` chose, at delivery time: still confined to the workspace (a symlink
 * swapped in since is refused) and still the size it had, else it throws and nothing is sent.
 */
export async function readSentFile(workspaceDir: string, file: FilePayload): Promise<Buffer> {
  const real = await resolveInWorkspace(workspaceDir, file.path, { forWrite: false });
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size !== file.size)
      throw new Error(`${file.path} changed since it was chosen (${file.size} bytes then, ${info.size} now)`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
