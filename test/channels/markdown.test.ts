import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderDiscord } from '../../channels/discord/render.js';
import { renderText } from '../../channels/slack/render.js';
import { renderTelegram, visibleText } from '../../channels/telegram/render.js';
import { parseTelegramHtml } from '../fakes/telegram/html.js';

const HERE = resolve(import.meta.dirname, 'markdown');
const corpus = readFileSync(resolve(HERE, 'corpus.txt'), 'utf8');
const slackText = (markdown: string) =>
  renderText(markdown).flatMap((m) =>
    m.blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : '')),
  );

/** Mentions that would ping someone if a platform saw them as written. */
const LIVE_MENTIONS = /@(everyone|here|channel)\b|<[@#!][\w&]/;

describe('the Markdown corpus renders as expected on each platform', () => {
  it('Discord Markdown', async () => {
    await expect(renderDiscord(corpus).join('\n\n<!-- next message -->\n\n')).toMatchFileSnapshot(
      resolve(HERE, 'discord.snap'),
    );
  });

  it('Slack mrkdwn', async () => {
    await expect(slackText(corpus).join('\n\n<!-- next section -->\n\n')).toMatchFileSnapshot(
      resolve(HERE, 'slack.snap'),
    );
  });

  it('Telegram HTML, which Telegram can parse', async () => {
    const html = renderTelegram(corpus);
    for (const message of html) expect(() => parseTelegramHtml(message)).not.toThrow();
    await expect(html.join('\n\n<!-- next message -->\n\n')).toMatchFileSnapshot(
      resolve(HERE, 'telegram.snap'),
    );
  });
});

describe('mentions are neutralised everywhere', () => {
  const prose = corpus.replace(/```[\s\S]*?```/g, '');

  it('no platform receives a live mention outside code', () => {
    expect(LIVE_MENTIONS.test(prose), 'the corpus has mentions').toBe(true);
    const discordProse = renderDiscord(prose).join('\n');
    expect(discordProse).not.toMatch(LIVE_MENTIONS);
    expect(slackText(prose).join('\n')).not.toMatch(LIVE_MENTIONS);
    // Telegram shows the visible text: no raw `<@id>` and no `@everyone` survive there either.
    expect(renderTelegram(prose).map(parseTelegramHtml).join('\n')).not.toMatch(LIVE_MENTIONS);
  });

  it('a person still reads the mention as written', () => {
    const [discord] = renderDiscord('hey @everyone and <@123>');
    expect(discord?.replace(/\u200b/g, '')).toBe('hey @everyone and <@123>');
  });

  it('Slack control sequences in code are escaped, so they cannot ping either', () => {
    expect(slackText('`<!channel>`\n\n```\n<!here>\n```').join('\n')).not.toMatch(/<!/);
  });
});

describe('splitting happens on the rendered text', () => {
  it('a long bold-laden answer splits into Telegram messages that each parse and fit', () => {
    const line = (i: number) => `Line **${i}** has _some_ [link](https://e.com/${i}) & <stuff>.`;
    const text = Array.from({ length: 400 }, (_, i) => line(i)).join('\n');
    const messages = renderTelegram(text);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(message.length).toBeLessThanOrEqual(4096);
      expect(() => parseTelegramHtml(message)).not.toThrow();
    }
    const visible = messages.map(parseTelegramHtml).join('\n');
    for (const i of [0, 199, 399]) expect(visible).toContain(`Line ${i} has some link & <stuff>.`);
  });

  it('a long code block is split by lines into Discord messages that each open and close the fence', () => {
    const code = Array.from({ length: 300 }, (_, i) => `print(${i})  # ${'x'.repeat(20)}`).join('\n');
    const messages = renderDiscord(`Code:\n\`\`\`python\n${code}\n\`\`\`\nDone.`);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(message.length).toBeLessThanOrEqual(2000);
      const fences = message.split('\n').filter((l) => l.startsWith('```'));
      expect(fences.length % 2).toBe(0);
    }
    const all = messages.join('\n');
    for (const i of [0, 150, 299]) expect(all).toContain(`print(${i})`);
  });

  it('one line longer than a message is cut at spaces, as escaped text, without losing words', () => {
    const words = Array.from({ length: 900 }, (_, i) => `w${i}&`);
    const messages = renderTelegram(`**${words.join(' ')}**`);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(message.length).toBeLessThanOrEqual(4096);
      expect(() => parseTelegramHtml(message)).not.toThrow();
    }
    expect(messages.map(visibleText).join(' ').split(/\s+/).filter(Boolean)).toEqual(words);
  });

  it('any Markdown at all renders as Telegram messages that parse and fit', () => {
    const atoms = [
      '**',
      '*',
      '_',
      '`',
      '```',
      '~~',
      '[a](https://x.y)',
      '<b>',
      '&',
      '\n',
      '\n\n',
      '- ',
      '> ',
      '# ',
      '|',
      'word ',
      'a<b ',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...atoms), { maxLength: 3000 }), (parts) => {
        for (const message of renderTelegram(parts.join(''))) {
          expect(message.length).toBeLessThanOrEqual(4096);
          expect(() => parseTelegramHtml(message)).not.toThrow();
        }
      }),
      { numRuns: 150 },
    );
  });
});
