/**
 * Rendered Markdown packed into messages of at most a platform's limit. Splitting happens on the
 * rendered text, between lines and blocks, so no message breaks an entity or a code fence: a code
 * block too long for one message is split by lines and each part wrapped as a block of its own; a
 * single line too long for one message is cut at spaces as plain (escaped) text.
 */
import { type MarkdownDialect, type RenderedPiece, renderMarkdownPieces } from './markdown.js';
import { neutralizeMentions } from './mentions.js';

/**
 * Renders `markdown` in `dialect` as messages of at most `limit` characters each, in order.
 * Nothing is dropped; an empty or blank text gives no message.
 */
export function renderMarkdown(markdown: string, dialect: MarkdownDialect, limit: number): string[] {
  if (limit < 64) throw new RangeError('renderMarkdown: limit must be at least 64 characters');
  const pieces = renderMarkdownPieces(markdown, dialect).flatMap((piece) => fitPiece(piece, dialect, limit));
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current === '') current = piece.text;
    else if (current.length + piece.gap.length + piece.text.length <= limit)
      current += piece.gap + piece.text;
    else {
      chunks.push(current);
      current = piece.text;
    }
  }
  if (current.trim() !== '') chunks.push(current);
  return chunks.filter((chunk) => chunk.trim() !== '');
}

/** A piece as one or more pieces that each fit in `limit`. */
function fitPiece(piece: RenderedPiece, dialect: MarkdownDialect, limit: number): RenderedPiece[] {
  if (piece.text.length <= limit) return [piece];
  if (piece.code) return splitCode(piece, dialect, limit);
  return cutPlain(neutralizeMentions(piece.plain), dialect, limit).map((text, i) => ({
    text,
    plain: text,
    gap: i === 0 ? piece.gap : '\n',
  }));
}

/** A code block split by lines, each part a complete block in the dialect. */
function splitCode(piece: RenderedPiece, dialect: MarkdownDialect, limit: number): RenderedPiece[] {
  const { code, language } = piece.code ?? { code: piece.plain, language: '' };
  const wrap = (lines: string[]) => dialect.codeBlock(lines.join('\n'), language);
  const parts: RenderedPiece[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const body = lines.join('\n');
    parts.push({
      text: wrap(lines),
      plain: body,
      gap: parts.length === 0 ? piece.gap : '\n',
      code: { code: body, language },
    });
    lines = [];
  };
  const overhead = wrap(['']).length;
  for (const line of code.split('\n')) {
    for (const part of cutLine(line, dialect, limit - overhead)) {
      if (lines.length > 0 && wrap([...lines, part]).length > limit) flush();
      lines.push(part);
    }
  }
  flush();
  return parts;
}

/** Cuts one code line so that each part, escaped by the dialect, fits in `room`. */
function cutLine(line: string, dialect: MarkdownDialect, room: number): string[] {
  if (dialect.codeBlock(line, '').length - dialect.codeBlock('', '').length <= room) return [line];
  const parts: string[] = [];
  let rest = line;
  while (rest.length > 0) {
    let take = Math.min(rest.length, room);
    while (
      take > 1 &&
      dialect.codeBlock(rest.slice(0, take), '').length - dialect.codeBlock('', '').length > room
    )
      take = Math.floor(take * 0.9);
    parts.push(rest.slice(0, take));
    rest = rest.slice(take);
  }
  return parts;
}

/** Plain text escaped by the dialect, cut at spaces (else anywhere) into parts that fit `limit`. */
function cutPlain(plain: string, dialect: MarkdownDialect, limit: number): string[] {
  const words = plain.split(/(?<=\s)/);
  const parts: string[] = [];
  let current = '';
  for (const word of words) {
    if (dialect.text(current + word).length <= limit) {
      current += word;
      continue;
    }
    if (current !== '') parts.push(dialect.text(current));
    current = '';
    let rest = word;
    while (dialect.text(rest).length > limit) {
      let take = Math.min(rest.length, limit);
      while (take > 1 && dialect.text(rest.slice(0, take)).length > limit) take = Math.floor(take * 0.9);
      parts.push(dialect.text(rest.slice(0, take)));
      rest = rest.slice(take);
    }
    current = rest;
  }
  if (current !== '') parts.push(dialect.text(current));
  return parts;
}
