/**
 * Text in Slack's terms: mrkdwn escaping, user mentions for Slack principals, and reply text
 * rendered as section blocks grouped into messages within Slack's limits.
 */
import type { types } from '@slack/bolt';
import { type Principal, splitMessage } from '../../src/index.js';
import { SLACK_MAX_BLOCKS, SLACK_MESSAGE_LIMIT, SLACK_SECTION_LIMIT } from './config.js';
import { userIdOf } from './identity.js';

/** A message ready for `chat.postMessage`: fallback text plus Block Kit blocks. */
export interface RenderedMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/**
 * Renders reply text as one or more Slack messages: escaped for mrkdwn (so model output cannot
 * ping `@channel` or forge links), split on line or code-fence boundaries into section blocks of
 * at most 3,000 characters, grouped into messages of at most 40,000 characters and 50 blocks.
 * Nothing is dropped.
 */
export function renderText(text: string): RenderedMessage[] {
  const body = text.trim().length > 0 ? escapeMrkdwn(text) : '_(empty reply)_';
  const sections = splitMessage(body, SLACK_SECTION_LIMIT);
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
