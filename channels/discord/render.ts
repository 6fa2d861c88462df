/**
 * The agent's Markdown in Discord's own Markdown: headings (`#`, `##`, `###`), `**bold**`,
 * `*italic*`, `~~strike~~`, code spans and fences with their language, masked links and `>`
 * quotes. Literal text has Discord's Markdown characters escaped, and mentions are neutralised by
 * the core's renderer (messages are also posted with `allowed_mentions: { parse: [] }`).
 */
import { type MarkdownDialect, renderMarkdown } from '../../src/index.js';
import { DISCORD_MESSAGE_LIMIT } from './config.js';

/** Discord's Markdown. */
export const discordMarkdown: MarkdownDialect = {
  text: (literal) => literal.replace(/[\\*_~`|]/g, '\\$&'),
  strong: (inner) => `**${inner}**`,
  emphasis: (inner) => `*${inner}*`,
  strike: (inner) => `~~${inner}~~`,
  code: (literal) => (literal.includes('`') ? `\`\` ${literal} \`\`` : `\`${literal}\``),
  link: (inner, href) => (inner === href ? href : `[${inner.replace(/[[\]]/g, '\\$&')}](<${href}>)`),
  heading: (inner, depth) => (depth <= 3 ? `${'#'.repeat(depth)} ${inner}` : `**${inner}**`),
  codeBlock: (code, language) => `\`\`\`${language}\n${code.replace(/```/g, '`\u200b``')}\n\`\`\``,
  quote: (inner) =>
    inner
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n'),
};

/** Renders reply text as Discord messages of at most 2,000 characters each. */
export function renderDiscord(markdown: string): string[] {
  return renderMarkdown(markdown, discordMarkdown, DISCORD_MESSAGE_LIMIT);
}
