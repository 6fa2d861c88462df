/**
 * `http_fetch {url}`: a GET that cannot be pointed at the daemon's own network. The tool resolves
 * the host itself, refuses non-public addresses and connects to exactly the address it checked
 * (no second lookup to rebind); redirects are followed by hand and every hop is checked again.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { nonPublicReason } from '../ip-ranges.js';
import { type PinnedResponse, pinnedGet } from '../pinned-get.js';
import type { Tool, ToolResult } from '../tool.js';
import { parseArgs } from './args.js';

const schema = z.strictObject({ url: z.string().min(1, 'give an http or https URL') });

/** At most this many redirects are followed. */
export const MAX_REDIRECTS = 3;

/** One resolved address. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Settings of `http_fetch`. */
export interface HttpFetchOptions {
  /** Allows loopback, private, link-local and other non-public addresses (a local model server, tests). */
  allowPrivate: boolean;
  /** Body bytes kept; the rest is not read and the result is marked truncated. */
  maxBytes: number;
  /** Time limit of the whole fetch, redirects included. */
  timeoutMs: number;
  /** Host name resolution; the system resolver by default (injectable for tests). */
  resolveHost?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Replaces the address rule: return a refusal reason, or undefined to allow (allow-lists, tests). */
  refuseAddress?: (address: string) => string | undefined;
}

const systemResolve = async (hostname: string): Promise<ResolvedAddress[]> =>
  lookup(hostname, { all: true, verbatim: true });

/** Resolves the URL's host and returns the one address to connect to, or throws if any is refused. */
async function checkedAddress(url: URL, options: HttpFetchOptions): Promise<ResolvedAddress> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const refuse =
    options.refuseAddress ?? ((ip: string) => (options.allowPrivate ? undefined : nonPublicReason(ip)));
  const family = isIP(host);
  const addresses =
    family !== 0 ? [{ address: host, family }] : await (options.resolveHost ?? systemResolve)(host);
  const first = addresses[0];
  if (first === undefined) throw new ValidationError(`${host} does not resolve to any address`);
  for (const { address } of addresses) {
    const reason = refuse(address);
    if (reason !== undefined) {
      const via = family !== 0 ? '' : ` (${host} resolves to ${address})`;
      throw new ValidationError(
        `http_fetch refuses ${url.origin}${via}: ${reason}; only public addresses may be fetched (tools.http_fetch.allow_private)`,
        'address_forbidden',
      );
    }
  }
  return first;
}

function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`"${raw}" is not a valid URL; give an absolute http or https URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`http_fetch only fetches http and https URLs, not ${url.protocol}`);
  }
  return url;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function render(url: URL, res: PinnedResponse, maxBytes: number): ToolResult {
  const detail = {
    url: url.href,
    status: res.status,
    contentType: res.contentType,
    bytes: res.body.length,
    truncated: res.truncated,
  };
  const body = res.body.includes(0)
    ? `[binary content, ${res.body.length} bytes]`
    : res.body.toString('utf8') + (res.truncated ? `\n[truncated at ${maxBytes} bytes]` : '');
  const head = `HTTP ${res.status} ${res.statusText}\nurl: ${url.href}\ncontent-type: ${res.contentType}`;
  return { ok: res.status < 400, output: `${head}\n\n${body}`, detail };
}

/** Creates the `http_fetch` tool (not read-only: a GET can still change things elsewhere). */
export function createHttpFetchTool(options: HttpFetchOptions): Tool {
  return {
    name: 'http_fetch',
    description: `Fetches an http(s) URL with GET and returns status, content type and up to ${options.maxBytes} bytes of the body. Follows up to ${MAX_REDIRECTS} redirects.`,
    parameters: {
      type: 'object',
      properties: { url: { type: 'string', description: 'Absolute http or https URL' } },
      required: ['url'],
      additionalProperties: false,
    },
    readOnly: false,
    // It changes nothing here, but reaches the web.
    hints: { destructive: false, idempotent: true, openWorld: true },
    async run(args, ctx) {
      let url = checkUrl(parseArgs('http_fetch', schema, args).url);
      const deadline = AbortSignal.timeout(options.timeoutMs);
      const signal = AbortSignal.any([deadline, ctx.signal]);
      try {
        for (let hop = 0; ; hop++) {
          const pinned = await checkedAddress(url, options);
          const res = await pinnedGet(url, pinned, {
            maxBytes: options.maxBytes,
            signal,
            userAgent: 'switchboard-http-fetch/1',
          });
          if (!REDIRECTS.has(res.status) || res.location === undefined)
            return render(url, res, options.maxBytes);
          if (hop >= MAX_REDIRECTS) {
            return {
              ok: false,
              output: `too many redirects (more than ${MAX_REDIRECTS}); last one was to ${res.location}`,
              detail: { url: url.href, status: res.status },
            };
          }
          url = checkUrl(new URL(res.location, url).href);
        }
      } catch (err) {
        if (err instanceof ValidationError) throw err;
        if (ctx.signal.aborted)
          return { ok: false, output: 'cancelled', detail: { url: url.href, cancelled: true } };
        if (deadline.aborted) {
          return {
            ok: false,
            output: `timed out after ${options.timeoutMs} ms fetching ${url.href}`,
            detail: { url: url.href, timedOut: true },
          };
        }
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, output: `fetching ${url.href} failed: ${message}`, detail: { url: url.href } };
      }
    },
  };
}
