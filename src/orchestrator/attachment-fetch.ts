/**
 * Downloads one attachment within limits: http and https only, every address checked against
 * the non-public ranges (unless private access is allowed) and connected to exactly the address
 * checked, at most three redirects (each checked again), a byte cap and a time limit.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { nonPublicReason } from '../tools/ip-ranges.js';
import { pinnedGet } from '../tools/pinned-get.js';

/** Why a download did not produce the whole file. */
export type FetchRefusal = 'scheme' | 'address' | 'too_large' | 'status' | 'timeout' | 'network' | 'aborted';

/** The outcome of {@link fetchAttachment}. */
export type FetchResult =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; refusal: FetchRefusal; reason: string };

/** Settings of {@link fetchAttachment}. */
export interface AttachmentFetchOptions {
  /** Bodies larger than this are refused (the download stops at the limit). */
  maxBytes: number;
  timeoutMs: number;
  /** Allows loopback, private and link-local addresses (tests, a local file server). */
  allowPrivate: boolean;
  /** Host name resolution; the system resolver by default. */
  resolveHost?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;

class Refused extends Error {
  constructor(
    readonly refusal: FetchRefusal,
    message: string,
  ) {
    super(message);
  }
}

async function pinnedAddress(
  url: URL,
  options: AttachmentFetchOptions,
): Promise<{ address: string; family: number }> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const family = isIP(host);
  const resolve = options.resolveHost ?? ((h: string) => lookup(h, { all: true, verbatim: true }));
  const addresses = family !== 0 ? [{ address: host, family }] : await resolve(host);
  const first = addresses[0];
  if (!first) throw new Refused('network', `${host} does not resolve`);
  if (!options.allowPrivate) {
    for (const { address } of addresses) {
      const why = nonPublicReason(address);
      if (why) throw new Refused('address', `its host ${host} is ${why} (attachments.allow_private)`);
    }
  }
  return first;
}

function checkedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Refused('scheme', 'its link is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Refused('scheme', `its link (${url.protocol}) is not an http or https URL`);
  }
  return url;
}

/** Downloads `rawUrl` within `options`; never throws, a refusal says why in words for a person. */
export async function fetchAttachment(
  rawUrl: string,
  options: AttachmentFetchOptions,
  signal: AbortSignal,
): Promise<FetchResult> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const combined = AbortSignal.any([deadline, signal]);
  try {
    let url = checkedUrl(rawUrl);
    for (let hop = 0; ; hop++) {
      const pinned = await pinnedAddress(url, options);
      const res = await pinnedGet(url, pinned, {
        maxBytes: options.maxBytes,
        signal: combined,
        userAgent: 'switchboard-attachments/1',
      });
      if (REDIRECTS.has(res.status) && res.location !== undefined) {
        if (hop >= MAX_REDIRECTS) throw new Refused('status', 'its link redirects too often');
        url = checkedUrl(new URL(res.location, url).href);
        continue;
      }
      if (res.status >= 400) throw new Refused('status', `the download failed with HTTP ${res.status}`);
      if (res.declaredLength !== undefined && res.declaredLength > options.maxBytes) {
        throw new Refused('too_large', `it is ${res.declaredLength} bytes`);
      }
      if (res.truncated) throw new Refused('too_large', `it is larger than ${options.maxBytes} bytes`);
      return { ok: true, body: res.body, contentType: res.contentType };
    }
  } catch (error) {
    if (error instanceof Refused) return { ok: false, refusal: error.refusal, reason: error.message };
    if (signal.aborted) return { ok: false, refusal: 'aborted', reason: 'the run was cancelled' };
    if (deadline.aborted) {
      return {
        ok: false,
        refusal: 'timeout',
        reason: `the download took longer than ${options.timeoutMs} ms`,
      };
    }
    return { ok: false, refusal: 'network', reason: `the download failed (${(error as Error).message})` };
  }
}
