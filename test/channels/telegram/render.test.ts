import { describe, expect, it } from 'vitest';
import { escapeHtml, renderTelegram, visibleText } from '../../../channels/telegram/render.js';
import { parseTelegramHtml } from '../../fakes/telegram/html.js';

const one = (markdown: string) => renderTelegram(markdown).join('\n\n');

describe('telegram Markdown rendering', () => {
  it('escapes the three characters HTML mode needs', () => {
    expect(escapeHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(one('1 < 2 & 3 > 2')).toBe('1 &lt; 2 &amp; 3 &gt; 2');
  });

  it('renders emphasis, code, links and headings', () => {
    expect(one('# Title\n**b** *i* _i_ ~~s~~ `x*y*` [l](https://e.com/a?b=1&c=2)')).toBe(
      '<b>Title</b>\n\n<b>b</b> <i>i</i> <i>i</i> <s>s</s> <code>x*y*</code> <a href="https://e.com/a?b=1&amp;c=2">l</a>',
    );
  });

  it('leaves snake_case and lone stars alone', () => {
    expect(one('use file_name_here and 2 * 3 * 4')).toBe('use file_name_here and 2 * 3 * 4');
  });

  it('renders fenced code with its language and keeps its content literal', () => {
    const html = one('```ts\nconst a = b < c && **d**;\n```');
    expect(html).toBe('<pre><code class="language-ts">const a = b &lt; c &amp;&amp; **d**;</code></pre>');
    expect(parseTelegramHtml(html)).toBe('const a = b < c && **d**;');
  });

  it('closes a fence left open at the end of the text', () => {
    expect(one('~~~\nline')).toBe('<pre>line</pre>');
  });

  it('falls back to the visible text, entities decoded', () => {
    expect(visibleText('<b>a &lt; b</b> &amp; <a href="https://x">c</a>')).toBe('a < b & c');
  });
});
