/**
 * The agent's Markdown, parsed once by `marked`'s lexer (CommonMark + GFM: tables, strike-through,
 * task lists, autolinks) and rendered through a platform's {@link MarkdownDialect} into pieces:
 * lines and blocks a message may be split between. Constructs a platform cannot show degrade to
 * readable text: tables become aligned monospaced blocks (or one record per row when too wide),
 * nested lists become indented bullets, raw HTML stays literal. Every literal text has its
 * mentions neutralised before the dialect escapes it.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import { neutralizeMentions } from './mentions.js';

/**
 * How one platform writes each construct. Arguments named `inner` are already rendered; `literal`
 * and `code` are raw text the dialect must escape itself.
 */
export interface MarkdownDialect {
  /** Escapes literal text so the platform shows it as typed. */
  text(literal: string): string;
  strong(inner: string): string;
  emphasis(inner: string): string;
  strike(inner: string): string;
  /** An inline code span. */
  code(literal: string): string;
  /** A link; `href` is an `http(s):`, `mailto:` or `tg:` URL, `inner` may equal the escaped URL. */
  link(inner: string, href: string): string;
  heading(inner: string, depth: number): string;
  /** A fenced code block; `language` may be empty. */
  codeBlock(code: string, language: string): string;
  /** A block quote around rendered lines. */
  quote(inner: string): string;
}

/** One unit of rendered text that messages may be split between. */
export interface RenderedPiece {
  text: string;
  /** What joins it to the piece before: a line break inside a block, a blank line between blocks. */
  gap: '\n' | '\n\n';
  /** The visible text, for cutting a piece too long for one message without breaking an entity. */
  plain: string;
  /** Set on code blocks (and tables), which are split by lines and re-wrapped in the dialect. */
  code?: { code: string; language: string };
}

/** Wider than this (in characters), a table is shown one record per row instead of as a grid. */
const TABLE_MAX_WIDTH = 60;
const BULLETS = ['•', '◦', '▪'];
const SAFE_HREF = /^(https?:|mailto:|tg:)/i;

/** Parses `markdown` and renders it in `dialect` as pieces, in order. */
export function renderMarkdownPieces(markdown: string, dialect: MarkdownDialect): RenderedPiece[] {
  const tokens = new Lexer({ gfm: true, breaks: true }).lex(markdown);
  const renderer = new PieceRenderer(dialect);
  renderer.blocks(tokens, 0);
  return renderer.pieces;
}

class PieceRenderer {
  readonly pieces: RenderedPiece[] = [];
  private nextGap: '\n' | '\n\n' = '\n\n';

  constructor(private readonly dialect: MarkdownDialect) {}

  blocks(tokens: Token[], depth: number): void {
    for (const token of tokens) this.block(token, depth);
  }

  private push(text: string, plain: string, code?: RenderedPiece['code']): void {
    this.pieces.push({
      text,
      plain,
      gap: this.pieces.length === 0 ? '\n\n' : this.nextGap,
      ...(code ? { code } : {}),
    });
    this.nextGap = '\n';
  }

  /** Starts a new block: the next piece follows a blank line. */
  private blockBreak(): void {
    this.nextGap = '\n\n';
  }

  private block(token: Token, depth: number): void {
    const d = this.dialect;
    const t = token as Tokens.Generic;
    switch (token.type) {
      case 'space':
      case 'def':
        return;
      case 'paragraph':
      case 'text':
        this.blockBreak();
        this.lines(t.tokens ?? [{ type: 'text', raw: t.text, text: t.text }], '');
        return;
      case 'heading': {
        this.blockBreak();
        const inner = this.inline(t.tokens ?? []);
        this.push(d.heading(inner, (token as Tokens.Heading).depth), plainOf(t.tokens ?? []));
        return;
      }
      case 'code': {
        this.blockBreak();
        const code = (token as Tokens.Code).text;
        const language = ((token as Tokens.Code).lang ?? '').trim().split(/\s/)[0] ?? '';
        this.push(d.codeBlock(code, language), code, { code, language });
        return;
      }
      case 'blockquote': {
        this.blockBreak();
        const inner = new PieceRenderer(d);
        inner.blocks((token as Tokens.Blockquote).tokens, depth);
        this.push(d.quote(joinPieces(inner.pieces)), inner.pieces.map((p) => p.plain).join('\n'));
        return;
      }
      case 'list':
        this.blockBreak();
        this.list(token as Tokens.List, depth);
        this.blockBreak();
        return;
      case 'table':
        this.blockBreak();
        this.table(token as Tokens.Table);
        return;
      case 'hr':
        this.blockBreak();
        this.push(d.text('───'), '───');
        return;
      case 'html':
        this.blockBreak();
        this.push(d.text(neutralizeMentions(t.text ?? t.raw)), t.text ?? t.raw);
        return;
      default:
        this.blockBreak();
        this.lines(t.tokens ?? [{ type: 'text', raw: t.raw, text: t.raw }], '');
    }
  }

  /** Inline tokens as pieces, one per line (a hard or soft break starts a new piece). */
  private lines(tokens: Token[], prefix: string, firstPrefix = prefix): void {
    let line: Token[] = [];
    let first = true;
    const flush = () => {
      const lead = first ? firstPrefix : prefix;
      this.push(this.dialect.text(lead) + this.inline(line), lead + plainOf(line));
      first = false;
      line = [];
    };
    for (const token of tokens) {
      if (token.type === 'br') flush();
      else line.push(token);
    }
    if (line.length > 0 || first) flush();
  }

  private list(list: Tokens.List, depth: number): void {
    const indent = '  '.repeat(depth);
    const start = typeof list.start === 'number' ? list.start : 1;
    list.items.forEach((item, index) => {
      const marker = list.ordered ? `${start + index}.` : (BULLETS[depth % BULLETS.length] ?? '•');
      const box = item.task ? (item.checked ? '☑ ' : '☐ ') : '';
      let lead = `${indent}${marker} ${box}`;
      for (const child of item.tokens) {
        if (child.type === 'checkbox') continue;
        if (child.type === 'list') {
          this.list(child as Tokens.List, depth + 1);
          continue;
        }
        const c = child as Tokens.Generic;
        if (child.type === 'text' || child.type === 'paragraph') {
          this.lines(c.tokens ?? [{ type: 'text', raw: c.text, text: c.text }], `${indent}  `, lead);
          lead = `${indent}  `;
          continue;
        }
        if (child.type === 'space') continue;
        // A code block, quote or table inside an item: its own block, unindented.
        this.block(child, depth + 1);
        this.nextGap = '\n';
      }
    });
  }

  private table(table: Tokens.Table): void {
    const header = table.header.map((cell) => plainOf(cell.tokens));
    const rows = table.rows.map((row) => row.map((cell) => plainOf(cell.tokens)));
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const width = widths.reduce((a, b) => a + b, 0) + 3 * Math.max(0, widths.length - 1);
    if (width > TABLE_MAX_WIDTH) {
      // Too wide for a phone: one record per row, "header: value".
      for (const row of rows) {
        const fields = header.map(
          (h, i) =>
            `${this.dialect.strong(this.dialect.text(neutralizeMentions(h)))}: ${this.dialect.text(neutralizeMentions(row[i] ?? ''))}`,
        );
        this.push(
          `${this.dialect.text('• ')}${fields.join(this.dialect.text(' · '))}`,
          `• ${header.map((h, i) => `${h}: ${row[i] ?? ''}`).join(' · ')}`,
        );
      }
      return;
    }
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => pad(cell, widths[i] ?? 0, table.align[i] ?? null))
        .join(' | ')
        .trimEnd();
    const code = [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
    this.push(this.dialect.codeBlock(code, ''), code, { code, language: '' });
  }

  /** Renders inline tokens in the dialect. */
  inline(tokens: Token[]): string {
    const d = this.dialect;
    let out = '';
    for (const token of tokens) {
      const t = token as Tokens.Generic;
      switch (token.type) {
        case 'strong':
          out += d.strong(this.inline(t.tokens ?? []));
          break;
        case 'em':
          out += d.emphasis(this.inline(t.tokens ?? []));
          break;
        case 'del':
          out += d.strike(this.inline(t.tokens ?? []));
          break;
        case 'codespan':
          out += d.code(decodeEntities(t.text ?? ''));
          break;
        case 'link':
        case 'image': {
          const href = (t.href as string | undefined) ?? '';
          const label =
            token.type === 'image'
              ? d.text(neutralizeMentions(t.text || 'image'))
              : this.inline(t.tokens ?? []);
          out += SAFE_HREF.test(href) ? d.link(label, href) : `${label}${d.text(href ? ` (${href})` : '')}`;
          break;
        }
        case 'br':
          out += '\n';
          break;
        case 'escape':
        case 'text':
        case 'html':
        case 'tag':
          if (t.tokens && t.tokens.length > 0 && token.type === 'text') out += this.inline(t.tokens);
          else out += d.text(neutralizeMentions(decodeEntities(t.text ?? t.raw)));
          break;
        default:
          out += d.text(neutralizeMentions(t.raw));
      }
    }
    return out;
  }
}

/** The visible text of inline tokens (for tables, and cutting pieces too long for a message). */
function plainOf(tokens: Token[]): string {
  let out = '';
  for (const token of tokens) {
    const t = token as Tokens.Generic;
    if (token.type === 'br') out += '\n';
    else if (t.tokens && t.tokens.length > 0) out += plainOf(t.tokens);
    else if (token.type === 'link' || token.type === 'image') out += t.text || t.href;
    else out += decodeEntities(t.text ?? t.raw);
  }
  return out;
}

/** Joins rendered pieces with their gaps. */
export function joinPieces(pieces: readonly RenderedPiece[]): string {
  return pieces.map((piece, i) => (i === 0 ? piece.text : piece.gap + piece.text)).join('');
}

function pad(text: string, width: number, align: 'left' | 'right' | 'center' | null): string {
  const room = Math.max(0, width - text.length);
  if (align === 'right') return ' '.repeat(room) + text;
  if (align === 'center') return ' '.repeat(Math.floor(room / 2)) + text + ' '.repeat(Math.ceil(room / 2));
  return text + ' '.repeat(room);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** marked keeps `&amp;`-style references of the source in text; the chat shows the character. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_all, name: string) => ENTITIES[name] ?? _all);
}
