import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typeScriptFilesUnder } from '../support/source-files.js';

const SRC = resolve(import.meta.dirname, '../../src');
const FORBIDDEN =
  /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](discord\.js|@slack\/bolt|@slack\/[\w-]+|grammy|@grammyjs\/[\w-]+|@discordjs\/[\w-]+)['"]/;

describe('the core stays free of platform SDKs', () => {
  it('no file under src/ imports discord.js, @slack/bolt or grammy', () => {
    const offenders = typeScriptFilesUnder(SRC).filter((file) => FORBIDDEN.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check itself catches a forbidden import', () => {
    expect(FORBIDDEN.test("import { Client } from 'discord.js';")).toBe(true);
    expect(FORBIDDEN.test("const { App } = await import('@slack/bolt');")).toBe(true);
    expect(FORBIDDEN.test("import { Bot } from 'grammy';")).toBe(true);
    expect(FORBIDDEN.test("import { z } from 'zod';")).toBe(false);
  });
});
