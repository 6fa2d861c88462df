import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { createCurrentTimeTool } from '../../../src/tools/builtins/current-time.js';
import { fakeContext } from '../fake-context.js';

describe('current_time', () => {
  it('returns ISO time and unix ms, read-only', async () => {
    const tool = createCurrentTimeTool(() => Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    expect(tool.readOnly).toBe(true);
    const result = await tool.run({}, fakeContext('/nonexistent'));
    expect(result.ok).toBe(true);
    expect(JSON.parse(result.output)).toEqual({ iso: '2025-01-02T03:04:05.006Z', unix_ms: 1735787045006 });
  });

  it('uses the real clock by default', async () => {
    const before = Date.now();
    const { output } = await createCurrentTimeTool().run(undefined, fakeContext('/nonexistent'));
    const parsed = JSON.parse(output) as { iso: string; unix_ms: number };
    expect(parsed.unix_ms).toBeGreaterThanOrEqual(before);
    expect(new Date(parsed.iso).getTime()).toBe(parsed.unix_ms);
  });

  it('refuses unexpected arguments', async () => {
    await expect(createCurrentTimeTool().run({ tz: 'UTC' }, fakeContext('/x'))).rejects.toThrow(
      ValidationError,
    );
  });
});
