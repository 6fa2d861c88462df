/**
 * A small model of Telegram's HTML parse mode, so the fake Bot API refuses what Telegram refuses
 * (unknown or unbalanced tags, a bare `<`) and records what a person would see.
 */

const ALLOWED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'span',
  'tg-spoiler',
  'tg-emoji',
  'blockquote',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Thrown with Telegram's wording when the HTML cannot be parsed. */
export class EntityParseError extends Error {}

/** The visible text of Telegram HTML; throws `EntityParseError` like Telegram's "can't parse entities". */
export function parseTelegramHtml(html: string): string {
  const open: string[] = [];
  let out = '';
  let i = 0;
  while (i < html.length) {
    const char = html[i];
    if (char === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw new EntityParseError(`Unclosed start tag at byte offset ${i}`);
      const tag = html.slice(i + 1, end);
      const closing = tag.startsWith('/');
      const name = (closing ? tag.slice(1) : tag).trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      if (!ALLOWED_TAGS.has(name)) {
        throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${i}`);
      }
      if (closing) {
        const last = open.pop();
        if (last !== name)
          throw new EntityParseError(`Can't find end tag corresponding to start tag "${last}"`);
      } else {
        open.push(name);
      }
      i = end + 1;
      continue;
    }
    if (char === '&') {
      const match = /^&(#x[0-9a-f]+|#\d+|[a-z]+);/i.exec(html.slice(i));
      if (match) {
        const body = match[1] ?? '';
        if (body.startsWith('#x')) out += String.fromCodePoint(Number.parseInt(body.slice(2), 16));
        else if (body.startsWith('#')) out += String.fromCodePoint(Number(body.slice(1)));
        else out += NAMED_ENTITIES[body.toLowerCase()] ?? match[0];
        i += match[0].length;
        continue;
      }
    }
    out += char;
    i++;
  }
  if (open.length > 0)
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${open.at(-1)}"`);
  return out;
}
