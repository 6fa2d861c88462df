import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `30s`, `10m`, `2h`, `1d` (or a bare number of milliseconds) to milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a duration; write e.g. 500ms, 30s, 10m, 2h or 1d`);
  return Math.round(Number(match[1]) * (UNITS[match[2]!] ?? 1));
}

/** A zod schema for a duration written as `30s`/`10m`/… or milliseconds; yields milliseconds. */
export const duration = z.union([z.string(), z.number().int().nonnegative()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024, gb: 1024 * 1024 * 1024 };

/** A zod schema for a size written as `64kb`/`2mb`/… or bytes; yields bytes. */
export const byteSize = z.union([z.string(), z.number().int().nonnegative()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size; write e.g. 512kb or 2mb` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * (SIZE_UNITS[match[2]!.toLowerCase()] ?? 1));
});
