import { describe, expect, it } from 'vitest';
import { splitMessage } from '../../src/core/split-message.js';

const stripFences = (chunks: string[]) => chunks.join('');

describe('splitMessage', () => {
  it('returns short text unchanged', () => {
    expect(splitMessage('hello', 2000)).toEqual(['hello']);
  });

  it('splits a 5,000-character answer on line boundaries under the limit', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const text = lines.join('\n');
    const chunks = splitMessage(text, 2000);
    expect(chunks.length).toBe(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(2000);
    expect(stripFences(chunks)).toBe(text);
    for (const c of chunks.slice(0, -1)) expect(c.endsWith('\n')).toBe(true);
  });

  it('closes an open code fence at a split and reopens it with its language', () => {
    const code = Array.from({ length: 80 }, (_, i) => `const v${i} = ${i}; // ${'y'.repeat(30)}`).join('\n');
    const text = `Here:\n\`\`\`ts\n${code}\n\`\`\`\nDone.`;
    const chunks = splitMessage(text, 1000);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(1000);
      const fences = c.split('\n').filter((l) => l.trim().startsWith('```')).length;
      expect(fences % 2).toBe(0);
    }
    expect(chunks[1]!.startsWith('```ts\n')).toBe(true);
    const body = chunks.join('').replace(/\n```(?=\n|$)|```ts\n/g, '');
    for (let i = 0; i < 80; i++) expect(body).toContain(`const v${i} = ${i};`);
  });

  it('cuts a single overlong line without losing characters', () => {
    const text = 'a'.repeat(4500);
    const chunks = splitMessage(text, 2000);
    expect(chunks.map((c) => c.length)).toEqual([2000, 2000, 500]);
    expect(chunks.join('')).toBe(text);
  });

  it('prefers a space when cutting a long line of words', () => {
    const text = Array.from({ length: 600 }, (_, i) => `w${i}`).join(' ');
    const chunks = splitMessage(text, 500);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(500);
    expect(chunks.join('')).toBe(text);
    for (const c of chunks.slice(0, -1)) expect(c.endsWith(' ')).toBe(true);
  });
});
