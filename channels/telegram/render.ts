/**
 * The agent's Markdown in Telegram's HTML parse mode, from the core's one Markdown parse. HTML is
 * chosen over MarkdownV2 because only three characters need escaping (`&`, `<`, `>`), where
 * MarkdownV2 needs eighteen and rejects a whole message for one miss. If Telegram still refuses a
 * message, the sender falls back to its visible text (see `outbound.ts`).
 */
import { type MarkdownDialect, renderMarkdown } from '../../src/index.js';
import { TELEGRAM_MESSAGE_LIMIT } from './config.js';

/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes a value for use inside a double-quoted HTML attribute. */
function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** Telegram's HTML. */
export const telegramHtml: MarkdownDialect = {
  text: escapeHtml,
  strong: (inner) => `<b>${inner}</b>`,
  emphasis: (inner) => `<i>${inner}</i>`,
  strike: (inner) => `<s>${inner}</s>`,
  code: (literal) => `<code>${escapeHtml(literal)}</code>`,
  link: (inner, href) => `<a href="${escapeAttribute(href)}">${inner}</a>`,
  heading: (inner) => `<b>${inner}</b>`,
  codeBlock: (code, language) =>
    language === ''
      ? `<pre>${escapeHtml(code)}</pre>`
      : `<pre><code class="language-${escapeAttribute(language)}">${escapeHtml(code)}</code></pre>`,
  quote: (inner) => `<blockquote>${inner}</blockquote>`,
};

/** Renders reply text as Telegram HTML messages of at most 4,096 characters each. */
export function renderTelegram(markdown: string): string[] {
  return renderMarkdown(markdown, telegramHtml, TELEGRAM_MESSAGE_LIMIT);
}

/** The visible text of rendered Telegram HTML: the fallback when Telegram refuses the entities. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
