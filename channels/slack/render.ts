/**
 * Text in Slack's terms: the agent's Markdown as mrkdwn (from the core's one Markdown parse), user
 * mentions for Slack principals, and reply text as section blocks grouped into messages within
 * Slack's limits.
 */
import type { types } from '@slack/bolt';
import { type MarkdownDialect, type Principal, renderMarkdown } from '../../src/index.js';
import { SLACK_MAX_BLOCKS, SLACK_MESSAGE_LIMIT, SLACK_SECTION_LIMIT } from './config.js';
import { userIdOf } from './identity.js';

/** A message ready for `chat.postMessage`: fallback text plus Block Kit blocks. */
export interface RenderedMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** Slack's mrkdwn: `*bold*`, `_italic_`, `~strike~`, `<url|label>`, fences without a language. */
export const slackMrkdwn: MarkdownDialect = {
  text: escapeMrkdwn,
  strong: (inner) => `*${inner}*`,
  emphasis: (inner) => `_${inner}_`,
  strike: (inner) => `~${inner}~`,
  code: (literal) => `\`${escapeMrkdwn(literal)}\``,
  link: (inner, href) =>
    inner === escapeMrkdwn(href)
      ? `<${escapeMrkdwn(href)}>`
      : `<${escapeMrkdwn(href)}|${inner.replace(/\|/g, '∣')}>`,
  heading: (inner) => `*${inner}*`,
  codeBlock: (code) => `\`\`\`\n${escapeMrkdwn(code)}\n\`\`\``,
  quote: (inner) =>
    inner
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n'),
};

/**
 * Renders reply text (Markdown) as one or more Slack messages: mrkdwn with literal text escaped
 * and mentions neutralised (so model output cannot ping `@channel` or forge links), split between
 * lines and blocks into section blocks of at most 3,000 characters, grouped into messages of at
 * most 40,000 characters and 50 blocks. Nothing is dropped.
 */
export function renderText(text: string): RenderedMessage[] {
  const rendered = renderMarkdown(text, slackMrkdwn, SLACK_SECTION_LIMIT);
  const sections = rendered.length > 0 ? rendered : ['_(empty reply)_'];
  const messages: RenderedMessage[] = [];
  let group: string[] = [];
  let size = 0;
  const flush = () => {
    if (group.length === 0) return;
    messages.push({ text: group.join('\n'), blocks: group.map(section) });
    group = [];
    size = 0;
  };
  for (const chunk of sections) {
    const added = chunk.length + (group.length > 0 ? 1 : 0);
    if (group.length >= SLACK_MAX_BLOCKS || size + added > SLACK_MESSAGE_LIMIT) flush();
    size += chunk.length + (group.length > 0 ? 1 : 0);
    group.push(chunk);
  }
  flush();
  return messages;
}

/** A Slack user mention for `slack:<team>:<user>` principals, the escaped principal otherwise. */
export function principalLabel(principal: Principal): string {
  const user = userIdOf(principal);
  return user ? `<@${user}>` : escapeMrkdwn(principal);
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One mrkdwn section block. */
export function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
