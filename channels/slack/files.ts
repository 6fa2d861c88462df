/**
 * Downloads Slack's private files (`url_private`) with the bot token: only from Slack's file hosts
 * (or the configured Web API's origin, so tests can serve files from a fake), never sending the
 * token anywhere else, with a byte cap, the run's abort signal and a time limit.
 */
import { ChannelError, type FetchedFile, readCappedBody } from '../../src/index.js';

/** Hosts that serve `url_private` links (commercial Slack and GovSlack). */
const FILE_HOSTS = new Set(['files.slack.com', 'files.slack-gov.com']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
/** How long one download may take, whatever the run allows. */
export const SLACK_FILE_TIMEOUT_MS = 30_000;

const SCOPE_HINT =
  'the bot needs the files:read scope: add it from config/slack-manifest.yaml and reinstall the app';

/** What {@link SlackFiles} needs: the token to send and where the fake Web API lives, if anywhere. */
export interface SlackFilesOptions {
  botToken: string;
  /** The configured Web API URL; files on its origin are treated as Slack's (tests). */
  apiUrl?: string;
  timeoutMs?: number;
}

/** The Slack side of `Channel.fetchAttachment`. */
export class SlackFiles {
  private readonly extraOrigin: string | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: SlackFilesOptions) {
    this.extraOrigin = options.apiUrl ? originOf(options.apiUrl) : undefined;
    this.timeoutMs = options.timeoutMs ?? SLACK_FILE_TIMEOUT_MS;
  }

  /** Whether `url` is served by Slack's file hosts, i.e. whether the bot token may go there. */
  isSlackFile(url: URL): boolean {
    if (url.username !== '' || url.password !== '') return false;
    if (url.protocol === 'https:' && FILE_HOSTS.has(url.hostname)) return true;
    return this.extraOrigin !== undefined && url.origin === this.extraOrigin;
  }

  /**
   * Downloads `raw` when it is a Slack file; undefined for any other URL. Redirects are followed
   * only within Slack's file hosts; a redirect elsewhere (Slack's sign-in page, when the token may
   * not read files) is refused without following it.
   */
  async fetch(
    raw: string,
    limits: { maxBytes: number; signal: AbortSignal },
  ): Promise<FetchedFile | undefined> {
    let url = parse(raw);
    if (!url || !this.isSlackFile(url)) return undefined;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([limits.signal, deadline]);
    try {
      for (let hop = 0; ; hop++) {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${this.options.botToken}`, 'accept-encoding': 'identity' },
          redirect: 'manual',
          signal,
        });
        if (REDIRECTS.has(response.status)) {
          await response.body?.cancel();
          const next = parse(response.headers.get('location') ?? '', url);
          if (!next || !this.isSlackFile(next)) {
            throw new ChannelError(
              'permanent',
              `Slack sent a sign-in page instead of the file; ${SCOPE_HINT}`,
            );
          }
          if (hop >= MAX_REDIRECTS)
            throw new ChannelError('permanent', 'Slack redirected the download too often');
          url = next;
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw statusError(response);
        }
        const data = await readCappedBody(response, limits.maxBytes);
        const mimeType = response.headers.get('content-type') ?? undefined;
        return { data, ...(mimeType ? { mimeType } : {}) };
      }
    } catch (error) {
      if (error instanceof ChannelError) throw error;
      if (limits.signal.aborted) throw new ChannelError('permanent', 'the download was cancelled');
      if (deadline.aborted) {
        throw new ChannelError('transient', `the download from Slack took longer than ${this.timeoutMs} ms`);
      }
      const why = error instanceof Error ? error.message : String(error);
      throw new ChannelError('transient', `could not reach Slack's file host (${why})`);
    }
  }
}

/** Maps a refused download to a `ChannelError` that says how to fix it. */
function statusError(response: Response): ChannelError {
  const status = response.status;
  if (status === 401 || status === 403) {
    return new ChannelError('permanent', `Slack refused the download (HTTP ${status}); ${SCOPE_HINT}`);
  }
  if (status === 404) {
    return new ChannelError(
      'permanent',
      'Slack has no such file (HTTP 404): it was deleted, or the bot is not in the channel it was shared in',
    );
  }
  if (status === 429) {
    const seconds = Number(response.headers.get('retry-after') ?? '1');
    const wait = Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
    return new ChannelError(
      'rate_limited',
      `Slack rate limit on file downloads, retry after ${wait}s`,
      wait * 1000,
    );
  }
  const kind = status >= 500 || status === 408 ? 'transient' : 'permanent';
  return new ChannelError(kind, `Slack answered HTTP ${status} to the download`);
}

function parse(raw: string, base?: URL): URL | undefined {
  try {
    return new URL(raw, base);
  } catch {
    return undefined;
  }
}

function originOf(raw: string): string | undefined {
  return parse(raw)?.origin;
}
