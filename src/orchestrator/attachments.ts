/**
 * Turns a message's attachments into what the model gets: text files inline (bounded), images as
 * image parts when the model accepts them, anything else as a one-line description, and every
 * refused file (count, type, size, download) named — to the model and in a notice for the person.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { normalizeText } from '../core/normalize.js';
import type { Attachment } from '../core/types.js';
import type { ContentPart } from '../providers/provider.js';
import { type AttachmentFetchOptions, type FetchResult, fetchAttachment } from './attachment-fetch.js';

/** The validated `attachments:` config section, in bytes and milliseconds. */
export interface AttachmentOptions {
  /** At most this many attachments of one message are read; the rest are refused. */
  maxCount: number;
  /** Larger files are refused (declared size, or counted while downloading). */
  maxBytes: number;
  /** A text file is cut after this many characters. */
  maxTextChars: number;
  /** Time limit of one download. */
  timeoutMs: number;
  /** Send images as image parts (the configured model accepts images). */
  images: boolean;
  /** Allow downloads from loopback and private addresses. */
  allowPrivate: boolean;
  /** MIME types that may be read; `type/*` matches a whole family. Others are refused unread. */
  mimeTypes: readonly string[];
}

/** What happened to one attachment; written to the tape in the provider request. */
export interface AttachmentRecord {
  name: string;
  /** The link without query or fragment (signed links carry tokens there). */
  url: string;
  mimeType: string;
  bytes?: number;
  status: 'inline' | 'image' | 'described' | 'refused';
  reason?: string;
  truncated?: boolean;
  sha256?: string;
}

/** The model's view of a message's attachments. */
export interface PreparedAttachments {
  /** Text to append to the person's message (inline files, descriptions, the refusal note). */
  text: string;
  images: ContentPart[];
  records: AttachmentRecord[];
}

/** Downloads one file; injectable for tests. */
export type AttachmentFetcher = (
  url: string,
  options: AttachmentFetchOptions,
  signal: AbortSignal,
) => Promise<FetchResult>;

const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/javascript',
  'application/typescript',
  'application/x-sh',
  'application/sql',
  'application/csv',
  'application/x-ndjson',
]);
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  log: 'text/plain',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  xml: 'application/xml',
  html: 'text/html',
  ts: 'application/typescript',
  js: 'application/javascript',
  py: 'text/x-python',
  sh: 'application/x-sh',
  sql: 'application/sql',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  zip: 'application/zip',
};

/** The MIME type to go by: the declared one, else one guessed from the file name. */
export function effectiveMimeType(attachment: Attachment): string {
  const declared = attachment.mimeType?.split(';')[0]?.trim().toLowerCase();
  if (declared) return declared;
  const extension = attachment.name.split('.').pop()?.toLowerCase() ?? '';
  return BY_EXTENSION[extension] ?? 'application/octet-stream';
}

function isText(mime: string): boolean {
  return mime.startsWith('text/') || TEXT_TYPES.has(mime) || mime.endsWith('+json') || mime.endsWith('+xml');
}

function allowed(mime: string, list: readonly string[]): boolean {
  return list.some(
    (entry) => entry === mime || (entry.endsWith('/*') && mime.startsWith(entry.slice(0, -1))),
  );
}

/** `1.5 MB`, `12 KB`, `300 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function safeName(name: string): string {
  return name.replace(/["<>\n\r\t]/g, '_').slice(0, 200) || 'unnamed';
}

function linkOf(raw: string): string {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? `${url.origin}${url.pathname}`
      : url.protocol;
  } catch {
    return 'invalid';
  }
}

interface Outcome {
  record: AttachmentRecord;
  text?: string;
  image?: ContentPart;
}

async function prepareOne(
  attachment: Attachment,
  index: number,
  options: AttachmentOptions,
  fetcher: AttachmentFetcher,
  signal: AbortSignal,
): Promise<Outcome> {
  const name = safeName(attachment.name);
  const mimeType = effectiveMimeType(attachment);
  const base: AttachmentRecord = {
    name,
    url: linkOf(attachment.url),
    mimeType,
    status: 'refused',
    ...(attachment.size !== undefined ? { bytes: attachment.size } : {}),
  };
  const refuse = (reason: string): Outcome => ({ record: { ...base, status: 'refused', reason } });
  if (index >= options.maxCount) {
    return refuse(`only the first ${options.maxCount} attachments of a message are read`);
  }
  if (!allowed(mimeType, options.mimeTypes)) return refuse(`files of type ${mimeType} are not accepted`);
  const limit = formatBytes(options.maxBytes);
  if (attachment.size !== undefined && attachment.size > options.maxBytes) {
    return refuse(`it is ${formatBytes(attachment.size)}, above the ${limit} limit`);
  }
  const text = isText(mimeType);
  const image = IMAGE_TYPES.has(mimeType) && options.images;
  if (!text && !image) {
    const size = attachment.size !== undefined ? `, ${formatBytes(attachment.size)}` : '';
    return {
      record: { ...base, status: 'described' },
      text: `[Attachment "${name}" (${mimeType}${size}): its content is not included.]`,
    };
  }
  const fetched = await fetcher(
    attachment.url,
    { maxBytes: options.maxBytes, timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate },
    signal,
  );
  if (!fetched.ok) {
    return refuse(fetched.refusal === 'too_large' ? `it is larger than the ${limit} limit` : fetched.reason);
  }
  const body = fetched.body;
  const done: AttachmentRecord = {
    ...base,
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    status: 'inline',
  };
  if (image) {
    return {
      record: { ...done, status: 'image' },
      text: `[Attachment "${name}" (${mimeType}, ${formatBytes(body.length)}) is included as an image.]`,
      image: { type: 'image', mimeType, dataBase64: body.toString('base64') },
    };
  }
  if (body.includes(0)) {
    return {
      record: { ...done, status: 'described' },
      text: `[Attachment "${name}" (${mimeType}, ${formatBytes(body.length)}) is binary; its content is not included.]`,
    };
  }
  let content = normalizeText(body.toString('utf8'));
  const truncated = content.length > options.maxTextChars;
  if (truncated) content = content.slice(0, options.maxTextChars);
  content = content.replaceAll('</attachment>', '<\\/attachment>');
  const cut = truncated ? `\n[… cut after ${options.maxTextChars} characters]` : '';
  return {
    record: { ...done, ...(truncated ? { truncated: true } : {}) },
    text: `<attachment name="${name}" type="${mimeType}">\n${content}${cut}\n</attachment>`,
  };
}

/** Prepares all attachments of one message, downloading in parallel. Never throws. */
export async function prepareAttachments(
  attachments: readonly Attachment[],
  options: AttachmentOptions,
  signal: AbortSignal,
  fetcher: AttachmentFetcher = fetchAttachment,
): Promise<PreparedAttachments> {
  const outcomes = await Promise.all(attachments.map((a, i) => prepareOne(a, i, options, fetcher, signal)));
  const parts = outcomes.flatMap((o) => (o.text ? [o.text] : []));
  const refused = outcomes.filter((o) => o.record.status === 'refused').map((o) => o.record);
  if (refused.length > 0) {
    parts.push(
      `[Attachments not read: ${refused.map((r) => `"${r.name}" (${r.reason})`).join('; ')}. Tell the user these files were not read and why.]`,
    );
  }
  return {
    text: parts.join('\n\n'),
    images: outcomes.flatMap((o) => (o.image ? [o.image] : [])),
    records: outcomes.map((o) => o.record),
  };
}

/** The notice for the person when files were refused, or undefined when none was. */
export function refusalNotice(records: readonly AttachmentRecord[]): string | undefined {
  const refused = records.filter((r) => r.status === 'refused');
  if (refused.length === 0) return undefined;
  const list = refused.map((r) => `${r.name} (${r.reason})`).join('; ');
  return refused.length === 1
    ? `Note: I could not read the attachment ${list}.`
    : `Note: I could not read ${refused.length} attachments: ${list}.`;
}

/** The `attachments:` config section as the input preparer takes it. */
export function attachmentOptionsOf(config: Config): AttachmentOptions {
  const a = config.attachments;
  return {
    maxCount: a.max_count,
    maxBytes: a.max_bytes,
    maxTextChars: a.max_text_chars,
    timeoutMs: a.timeout,
    images: a.images,
    allowPrivate: a.allow_private,
    mimeTypes: a.mime_types,
  };
}
