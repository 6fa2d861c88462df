/**
 * Renders the agent's Markdown into Telegram's HTML parse mode. HTML is chosen over MarkdownV2
 * because only three characters need escaping (`&`, `<`, `>`), where MarkdownV2 needs eighteen and
 * rejects a whole message for one miss. The renderer is deliberately small: fenced and inline code,
 * bold, italic, strike-through, links and headings. Whatever it cannot express stays literal text;
 * if Telegram still refuses the result, the sender falls back to plain text (see `outbound.ts`).
 */

const FENCE = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/;

/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes a value for use inside a double-quoted HTML attribute. */
function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** Converts one chunk of Markdown (already split to the platform limit) to Telegram HTML. */
export function markdownToTelegramHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let fence: { marker: string; language: string; body: string[] } | null = null;
  for (const line of lines) {
    const match = FENCE.exec(line);
    if (fence) {
      if (match?.[1]?.startsWith(fence.marker[0] ?? '`') && (match[2] ?? '') === '') {
        out.push(renderCodeBlock(fence.language, fence.body));
        fence = null;
      } else {
        fence.body.push(line);
      }
      continue;
    }
    if (match) {
      fence = { marker: match[1] ?? '```', language: match[2] ?? '', body: [] };
      continue;
    }
    out.push(renderLine(line));
  }
  if (fence) out.push(renderCodeBlock(fence.language, fence.body));
  return out.join('\n');
}

function renderCodeBlock(language: string, body: string[]): string {
  const code = escapeHtml(body.join('\n'));
  if (language === '') return `<pre>${code}</pre>`;
  return `<pre><code class="language-${escapeAttribute(language)}">${code}</code></pre>`;
}

function renderLine(line: string): string {
  const heading = /^#{1,6}\s+(.*)$/.exec(line);
  if (heading) return `<b>${renderInline(heading[1] ?? '')}</b>`;
  return renderInline(line);
}

/** Inline spans: code first (its content stays literal), then links and emphasis on the rest. */
function renderInline(text: string): string {
  const codeSpans: string[] = [];
  const placeholder = (index: number) => `\u0000${index}\u0000`;
  let rest = text.replace(/`([^`\n]+)`/g, (_all, code: string) => {
    codeSpans.push(`<code>${escapeHtml(code)}</code>`);
    return placeholder(codeSpans.length - 1);
  });
  rest = escapeHtml(rest);
  rest = rest.replace(
    /\[([^\]\n]+)\]\(((?:https?|tg):\/\/[^\s)]+)\)/g,
    (_all, label: string, url: string) => `<a href="${url.replace(/"/g, '&quot;')}">${label}</a>`,
  );
  rest = rest.replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '<b>$1</b>');
  rest = rest.replace(/__(?=\S)(.+?)(?<=\S)__/g, '<b>$1</b>');
  rest = rest.replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '<s>$1</s>');
  rest = rest.replace(/(^|[^\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])/g, '$1<i>$2</i>');
  rest = rest.replace(/(^|[^\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)/g, '$1<i>$2</i>');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL delimits code-span placeholders.
  return rest.replace(/\u0000(\d+)\u0000/g, (_all, index: string) => codeSpans[Number(index)] ?? '');
}
