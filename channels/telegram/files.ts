/**
 * Downloads the files people send the bot. Inbound messages carry them as `tg-file:<file_id>`;
 * getFile turns an id into a path, and the bytes are at `<apiRoot>/file/bot<token>/<path>` — a
 * URL holding the bot token, so it never appears in an error, a log line or an error's cause.
 */
import type { Api } from 'grammy';
import { GrammyError } from 'grammy';
import { ChannelError, type FetchedFile, readCappedBody } from '../../src/index.js';
import { DEFAULT_TELEGRAM_API_ROOT } from './config.js';
import { toChannelError } from './errors.js';

/** The scheme of the attachment URLs the inbound mapping writes. */
export const TG_FILE_PREFIX = 'tg-file:';
/** How long one download may take, whatever the run allows. */
export const TELEGRAM_FILE_TIMEOUT_MS = 60_000;

type GrammySignal = Parameters<Api['getFile']>[1];

/** What {@link TelegramFiles} needs. */
export interface TelegramFilesOptions {
  api: Api;
  token: string;
  /** Another Bot API server (TELEGRAM_API_ROOT); the public one by default. */
  apiRoot?: string;
  timeoutMs?: number;
}

/** The Telegram side of `Channel.fetchAttachment`. */
export class TelegramFiles {
  private readonly root: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: TelegramFilesOptions) {
    this.root = (options.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? TELEGRAM_FILE_TIMEOUT_MS;
  }

  /** Downloads a `tg-file:` attachment within `limits`; undefined for any other URL. */
  async fetch(
    url: string,
    limits: { maxBytes: number; signal: AbortSignal },
  ): Promise<FetchedFile | undefined> {
    if (!url.startsWith(TG_FILE_PREFIX)) return undefined;
    const fileId = url.slice(TG_FILE_PREFIX.length);
    if (fileId === '') throw new ChannelError('permanent', 'the Telegram file reference is empty');
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([limits.signal, deadline]);
    const fail = (error: unknown): ChannelError => {
      if (error instanceof ChannelError) return this.redacted(error);
      if (limits.signal.aborted) return new ChannelError('permanent', 'the download was cancelled');
      if (deadline.aborted) {
        return new ChannelError(
          'transient',
          `the download from Telegram took longer than ${this.timeoutMs} ms`,
        );
      }
      // No cause: a network error's details may hold the download URL, and with it the token.
      const why = error instanceof Error ? error.message : String(error);
      return new ChannelError('transient', this.redact(`could not download the file from Telegram (${why})`));
    };
    try {
      const path = await this.pathOf(fileId, limits.maxBytes, signal);
      const response = await fetch(`${this.root}/file/bot${this.options.token}/${path}`, {
        redirect: 'error',
        signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw statusError(response.status);
      }
      const data = await readCappedBody(response, limits.maxBytes);
      const type = response.headers.get('content-type');
      return { data, ...(type && type !== 'application/octet-stream' ? { mimeType: type } : {}) };
    } catch (error) {
      throw fail(error);
    }
  }

  /** getFile: the download path, or a refusal that says why (20 MB limit, unknown id, size cap). */
  private async pathOf(fileId: string, maxBytes: number, signal: AbortSignal): Promise<string> {
    let file: Awaited<ReturnType<Api['getFile']>>;
    try {
      // grammY types its signal with the abort-controller shim; at run time it takes Node's own.
      file = await this.options.api.getFile(fileId, signal as unknown as GrammySignal);
    } catch (error) {
      if (error instanceof GrammyError && /file is too big/i.test(error.description)) {
        throw new ChannelError(
          'permanent',
          'Telegram lets bots download files of at most 20 MB (getFile: file is too big); ' +
            'a self-hosted Bot API server (TELEGRAM_API_ROOT) lifts that limit',
        );
      }
      if (error instanceof GrammyError && /file_id|file not found/i.test(error.description)) {
        throw new ChannelError('permanent', `Telegram does not know this file (${error.description})`);
      }
      if (error instanceof GrammyError) throw toChannelError(error, 'looking up a file');
      throw error;
    }
    if (file.file_size !== undefined && file.file_size > maxBytes) {
      throw new ChannelError('permanent', `it is larger than ${maxBytes} bytes`);
    }
    if (!file.file_path) throw new ChannelError('permanent', 'Telegram gave no download path for the file');
    return file.file_path.split('/').map(encodeURIComponent).join('/');
  }

  private redact(text: string): string {
    return text.replaceAll(this.options.token, '<token>');
  }

  /** The same error with the token blanked out of its message, should it ever be there. */
  private redacted(error: ChannelError): ChannelError {
    const message = this.redact(error.message);
    return message === error.message ? error : new ChannelError(error.kind, message, error.retryAfterMs);
  }
}

function statusError(status: number): ChannelError {
  if (status === 401 || status === 404) {
    return new ChannelError(
      'permanent',
      `Telegram refused the download (HTTP ${status}): the file link expired or TELEGRAM_BOT_TOKEN changed; send the file again`,
    );
  }
  if (status === 429) return new ChannelError('rate_limited', 'Telegram rate limit on file downloads', 1000);
  const kind = status >= 500 || status === 408 ? 'transient' : 'permanent';
  return new ChannelError(kind, `Telegram answered HTTP ${status} to the download`);
}
