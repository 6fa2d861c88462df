import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/providers/http-fetch.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      if (req.url === '/moved') {
        res.writeHead(307, { location: '/echo' }).end();
      } else if (req.url === '/empty') {
        res.writeHead(204).end();
      } else if (req.url === '/hang') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
      } else {
        res
          .writeHead(201, { 'content-type': 'application/json', 'x-twice': 'a' })
          .end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpFetch', () => {
  it('answers like fetch: status, headers, url and body', async () => {
    const response = await httpFetch(`${base}/echo`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/echo`);
    expect(response.headers.get('x-twice')).toBe('a');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer k' });
  });

  it('follows a redirect as the built-in fetch does, body and method kept for a 307', async () => {
    const response = await httpFetch(`${base}/moved`, { method: 'POST', body: 'again' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ method: 'POST', body: 'again' });
  });

  it('answers a 204 without a body', async () => {
    const response = await httpFetch(`${base}/empty`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('rejects with the abort reason, before the request and while the body streams', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(httpFetch(`${base}/echo`, { signal: aborted.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    const controller = new AbortController();
    const response = await httpFetch(`${base}/hang`, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    controller.abort();
    await expect(reader.read()).rejects.toBeDefined();
  });

  it('fails a refused connection with a TypeError carrying the cause, as fetch does', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const error = await httpFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
