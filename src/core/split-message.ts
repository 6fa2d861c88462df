const FENCE = /^\s*(```+|~~~+)(.*)$/;

/**
 * Splits `text` into chunks of at most `limit` characters for platforms with a message size
 * limit. Prefers line boundaries, then spaces; a code fence open at a split is closed at the end
 * of the chunk and reopened (with its language) at the start of the next, so every chunk renders
 * on its own. Nothing is dropped: joining the chunks gives back every character of the text
 * (plus the added fence lines).
 */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 16) throw new RangeError('splitMessage: limit must be at least 16 characters');
  if (text.length <= limit) return [text];
  const chunks: string[] = [];
  let current = '';
  let openFence: string | null = null; // the opening fence line, e.g. "```ts"

  const closing = () => (openFence ? `\n${openFence.trim().match(/^(```+|~~~+)/)?.[1] ?? '```'}` : '');
  const flush = () => {
    if (current.length === 0) return;
    chunks.push(current + closing());
    current = openFence ? `${openFence}\n` : '';
  };

  for (const piece of linesWithBreaks(text)) {
    let rest = piece;
    while (rest.length > 0) {
      const room = limit - current.length - closing().length;
      if (rest.length <= room) {
        current += rest;
        break;
      }
      if (current.length > (openFence ? openFence.length + 1 : 0)) {
        // The line does not fit after what is there: start a new chunk first.
        flush();
        continue;
      }
      // A single line longer than a chunk: cut it at a space if there is one, else hard.
      const cut = cutPoint(rest, room);
      current += rest.slice(0, cut);
      rest = rest.slice(cut);
      flush();
    }
    const match = FENCE.exec(piece.replace(/\n$/, ''));
    if (match) openFence = openFence ? null : piece.replace(/\n$/, '');
  }
  if (current.length > 0 && current !== (openFence ? `${openFence}\n` : '')) chunks.push(current);
  return chunks;
}

function linesWithBreaks(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function cutPoint(line: string, room: number): number {
  const space = line.lastIndexOf(' ', room);
  return space > room / 2 ? space + 1 : Math.max(1, room);
}
