import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** An address a host name was resolved to and checked against the address rules. */
export interface PinnedAddress {
  address: string;
  family: number;
}

/** One HTTP response read by {@link pinnedGet}, its body capped. */
export interface PinnedResponse {
  status: number;
  statusText: string;
  contentType: string;
  location: string | undefined;
  /** The `content-length` the server declared, when it did. */
  declaredLength: number | undefined;
  body: Buffer;
  /** Whether the body was cut at `maxBytes`. */
  truncated: boolean;
}

/**
 * One GET to `url`, connected to the already checked `pinned` address whatever DNS says now (no
 * DNS rebinding between the check and the connection), reading at most `maxBytes` of the body.
 * Redirects are returned, not followed: the caller checks each hop. Used by `http_fetch` and by
 * the attachment download.
 */
export function pinnedGet(
  url: URL,
  pinned: PinnedAddress,
  options: { maxBytes: number; signal: AbortSignal; userAgent: string },
): Promise<PinnedResponse> {
  const pinnedLookup: LookupFunction = (_hostname, opts, callback) => {
    if (opts.all === true) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        agent: false,
        lookup: pinnedLookup,
        signal: options.signal,
        headers: { 'user-agent': options.userAgent, accept: '*/*', 'accept-encoding': 'identity' },
      },
      (res: IncomingMessage) => {
        const declared = Number(res.headers['content-length'] ?? Number.NaN);
        const chunks: Buffer[] = [];
        let bytes = 0;
        let truncated = false;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            contentType: String(res.headers['content-type'] ?? ''),
            location: res.headers.location,
            declaredLength: Number.isFinite(declared) ? declared : undefined,
            body: Buffer.concat(chunks),
            truncated,
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          if (bytes + chunk.length > options.maxBytes) {
            chunks.push(chunk.subarray(0, options.maxBytes - bytes));
            bytes = options.maxBytes;
            truncated = true;
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
          bytes += chunk.length;
        });
        res.on('end', finish);
        res.on('error', (error) => (done ? undefined : reject(error)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
