import type { IncomingMessage, ServerResponse } from 'node:http';

/** A private file shared in the fake workspace. */
export interface FakeFile {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  /** The link Slack puts in message events; served only with the bot token. */
  url_private: string;
  data: Buffer;
}

/** How the fake answers the next download of a file instead of serving it. */
export type FileFault = { status: number } | { redirectTo: string } | { stallMs: number };

/** The path prefix private files are served under, like `files.slack.com/files-pri/…`. */
export const FILES_PATH = '/files-pri/';

/**
 * Slack's private file host, as the fake serves it: `GET /files-pri/<team>-<id>/<name>` answers
 * the bytes only to `Authorization: Bearer <bot token>`; without it (or with another token) it
 * redirects to a sign-in page on another host, as Slack does for a token that may not read files.
 */
export class FakeFileHost {
  readonly files: FakeFile[] = [];
  /** Every download attempt, with the bearer token it carried (never printed). */
  readonly downloads: { id: string; token: string | undefined }[] = [];
  private readonly faults = new Map<string, FileFault>();
  private counter = 0;

  constructor(
    private readonly base: () => string,
    private readonly team: string,
    private readonly botToken: () => string,
  ) {}

  /** Shares a file; `url_private` points at this fake. */
  add(file: { name: string; data: Buffer | string; mimetype?: string }): FakeFile {
    this.counter += 1;
    const id = `F0FILE${this.counter}`;
    const data = typeof file.data === 'string' ? Buffer.from(file.data) : file.data;
    const stored: FakeFile = {
      id,
      name: file.name,
      mimetype: file.mimetype ?? 'text/plain',
      size: data.length,
      url_private: `${this.base()}${FILES_PATH}${this.team}-${id}/${encodeURIComponent(file.name)}`,
      data,
    };
    this.files.push(stored);
    return stored;
  }

  /** Answers the next download of `file` with `fault`. */
  failNext(file: FakeFile, fault: FileFault): void {
    this.faults.set(file.id, fault);
  }

  /** Serves one request under {@link FILES_PATH}. */
  async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const id = path.slice(FILES_PATH.length).split('/')[0]?.split('-')[1] ?? '';
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    this.downloads.push({ id, token });
    const file = this.files.find((f) => f.id === id);
    const fault = this.faults.get(id);
    this.faults.delete(id);
    if (token !== this.botToken()) {
      res.writeHead(302, { location: `https://fake-team.slack.test/?redir=${encodeURIComponent(path)}` });
      res.end();
      return;
    }
    if (fault && 'status' in fault) return void res.writeHead(fault.status).end();
    if (fault && 'redirectTo' in fault) return void res.writeHead(302, { location: fault.redirectTo }).end();
    if (fault && 'stallMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.stallMs));
    if (!file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('file_not_found');
    res.writeHead(200, { 'content-type': file.mimetype });
    // Streamed in two writes without a content-length, so a byte cap must count as it reads.
    const half = Math.floor(file.data.length / 2);
    res.write(file.data.subarray(0, half));
    res.end(file.data.subarray(half));
  }
}
