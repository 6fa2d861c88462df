import type { ServerResponse } from 'node:http';
import { fail, ok, type Result } from './wire.js';

/** getFile refuses files above this, as the public Bot API does. */
export const GET_FILE_LIMIT = 20 * 1024 * 1024;

/** A file people sent the bot, as the fake Bot API keeps it. */
export interface FakeFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
  data: Buffer;
  mimeType: string;
}

/**
 * Files of the fake Bot API: `getFile` answers a `file_path` (or Telegram's refusals: an unknown
 * id is "invalid file_id", above 20 MB "file is too big"), and `GET /file/bot<token>/<file_path>`
 * serves the bytes, only under the bot's token.
 */
export class FakeFiles {
  readonly files: FakeFile[] = [];
  /** The `file_path`s downloaded, in order. */
  readonly downloads: string[] = [];
  /** Holds the next download this long before answering (for time limits and cancelling). */
  stallNextMs = 0;
  private counter = 0;
  private readonly expired = new Set<string>();

  constructor(private readonly token: string) {}

  /** Stores a file; `declaredSize` pretends it is that big (for the 20 MB limit) without the bytes. */
  add(file: { data: Buffer | string; mimeType?: string; declaredSize?: number }): FakeFile {
    this.counter += 1;
    const data = typeof file.data === 'string' ? Buffer.from(file.data) : file.data;
    const stored: FakeFile = {
      file_id: `BQACAgFILE${this.counter}`,
      file_unique_id: `AgADFILE${this.counter}`,
      file_size: file.declaredSize ?? data.length,
      file_path: `documents/file_${this.counter}.bin`,
      data,
      mimeType: file.mimeType ?? 'application/octet-stream',
    };
    this.files.push(stored);
    return stored;
  }

  /** getFile still answers for `file`, but its download link 404s (an expired link). */
  expire(file: FakeFile): void {
    this.expired.add(file.file_path);
  }

  /** The Bot API method `getFile`. */
  getFile(p: Record<string, unknown>): Result {
    const file = this.files.find((f) => f.file_id === p.file_id);
    if (!file) return fail(400, 'Bad Request: invalid file_id');
    if (file.file_size > GET_FILE_LIMIT) return fail(400, 'Bad Request: file is too big');
    return ok({
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_size: file.file_size,
      file_path: file.file_path,
    });
  }

  /** Serves `GET /file/bot<token>/<file_path>`; true when `path` was such a route. */
  serve(path: string, res: ServerResponse): boolean {
    if (!/^\/file\/bot/.test(path)) return false;
    const stall = this.stallNextMs;
    this.stallNextMs = 0;
    if (stall > 0) setTimeout(() => this.answer(path, res), stall);
    else this.answer(path, res);
    return true;
  }

  private answer(path: string, res: ServerResponse): void {
    if (res.destroyed) return;
    const match = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
    };
    if (!match || match[1] !== this.token) {
      notFound();
      return;
    }
    const file = this.files.find((f) => f.file_path === match[2]);
    this.downloads.push(match[2] ?? '');
    if (!file || this.expired.has(file.file_path)) {
      notFound();
      return;
    }
    res.writeHead(200, { 'content-type': file.mimeType });
    // Two writes without a content-length, so a byte cap must count as it reads.
    const half = Math.floor(file.data.length / 2);
    res.write(file.data.subarray(0, half));
    res.end(file.data.subarray(half));
  }
}
