import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownToTelegramHtml } from '../../../channels/telegram/render.js';
import { parseTelegramHtml } from '../../fakes/telegram/html.js';

describe('telegram Markdown rendering', () => {
  it('escapes the three characters HTML mode needs', () => {
    expect(escapeHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(markdownToTelegramHtml('1 < 2 & 3 > 2')).toBe('1 &lt; 2 &amp; 3 &gt; 2');
  });

  it('renders emphasis, code, links and headings', () => {
    expect(markdownToTelegramHtml('# Title\n**b** *i* _i_ ~~s~~ `x*y*` [l](https://e.com/a?b=1&c=2)')).toBe(
      '<b>Title</b>\n<b>b</b> <i>i</i> <i>i</i> <s>s</s> <code>x*y*</code> <a href="https://e.com/a?b=1&amp;c=2">l</a>',
    );
  });

  it('leaves snake_case and lone stars alone', () => {
    expect(markdownToTelegramHtml('use file_name_here and 2 * 3 * 4')).toBe(
      'use file_name_here and 2 * 3 * 4',
    );
  });

  it('renders fenced code with its language and keeps its content literal', () => {
    const html = markdownToTelegramHtml('```ts\nconst a = b < c && **d**;\n```');
    expect(html).toBe('<pre><code class="language-ts">const a = b &lt; c &amp;&amp; **d**;</code></pre>');
    expect(parseTelegramHtml(html)).toBe('const a = b < c && **d**;');
  });

  it('closes a fence left open at the end of a chunk', () => {
    expect(markdownToTelegramHtml('~~~\nline')).toBe('<pre>line</pre>');
  });
});
