import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** The console's own scripts and styles only; API calls to the same origin. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Where `npm run build:web` writes the console: `dist/web` of the project, found both from the
 * compiled daemon (`dist/src/http/console`) and from the sources (`src/http/console`).
 */
export function defaultConsoleAssetsDir(): string {
  const up = resolve(import.meta.dirname, '../../..');
  return basename(up) === 'dist' ? join(up, 'web') : join(up, 'dist', 'web');
}

/**
 * Serves the built web console: `GET /` is its page, `GET /assets/<file>` its scripts and styles.
 * No auth here: the page holds no data, and every API call it makes carries the bearer token.
 * When the console was not built, `/` says how to build it.
 */
export function registerConsoleAssets(app: FastifyInstance, dir: string): void {
  const security = {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
  app.get('/', async (_request, reply) => {
    const page = join(dir, 'index.html');
    void reply.headers({ ...security, 'cache-control': 'no-cache' });
    if (!existsSync(page)) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`The web console is not built (no ${page}). Run "npm run build" and reload.`);
    }
    return reply.type(TYPES['.html']!).send(await readFile(page));
  });
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const file = request.params.file;
    const type = TYPES[extname(file)];
    if (!/^[\w.-]+$/.test(file) || file.startsWith('.') || !type) {
      return reply.status(404).send({ error: { code: 'not_found', message: `no asset ${file}` } });
    }
    try {
      const content = await readFile(join(dir, 'assets', file));
      return reply
        .headers({ ...security, 'cache-control': 'no-cache' })
        .type(type)
        .send(content);
    } catch {
      return reply.status(404).send({ error: { code: 'not_found', message: `no asset ${file}` } });
    }
  });
}
