import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../src/node-flags.js';

describe('the V8 flags the daemon needs are passed everywhere it is started', () => {
  const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const places: [string, string][] = [
    ['npm start', packageJson.scripts.start ?? ''],
    ['npm run bench', packageJson.scripts.bench ?? ''],
    ['Dockerfile', readFileSync('Dockerfile', 'utf8')],
    ['vitest workers', readFileSync('vitest.config.ts', 'utf8')],
  ];
  it.each(places)('%s passes every flag', (_name, text) => {
    for (const flag of NODE_FLAGS) expect(text).toContain(flag);
  });

  it('this test process runs with them (so in-process Cedar runs as in production)', () => {
    for (const flag of NODE_FLAGS) expect(process.execArgv).toContain(flag);
  });
});
