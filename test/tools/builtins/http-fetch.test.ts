import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { createHttpFetchTool, type HttpFetchOptions } from '../../../src/tools/builtins/http-fetch.js';
import { nonPublicReason } from '../../../src/tools/ip-ranges.js';
import { fakeContext } from '../fake-context.js';

let server: Server;
let origin: string;
let port: number;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url ?? '/', 'http://x');
    const hops = Number(url.searchParams.get('n') ?? '0');
    switch (url.pathname) {
      case '/hello':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from the test server');
        return;
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('y'.repeat(100_000));
        return;
      case '/stall':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        return; // never ends
      case '/redirect':
        res.writeHead(302, { location: hops > 1 ? `/redirect?n=${hops - 1}` : '/hello' }).end();
        return;
      case '/to-metadata':
        res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      default:
        res.writeHead(404).end('no such page');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const ctx = fakeContext('/nonexistent');
const tool = (over: Partial<HttpFetchOptions> = {}) =>
  createHttpFetchTool({ allowPrivate: false, maxBytes: 64 * 1024, timeoutMs: 5_000, ...over });
const fetchUrl = (url: string, over: Partial<HttpFetchOptions> = {}) => tool(over).run({ url }, ctx);

describe('http_fetch refuses non-public addresses', () => {
  it('refuses 127.0.0.1', async () => {
    await expect(fetchUrl(`${origin}/hello`)).rejects.toThrow(/loopback/);
  });

  it('refuses the cloud metadata address 169.254.169.254', async () => {
    await expect(fetchUrl('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/link-local/);
  });

  it('refuses a private 10.x address', async () => {
    await expect(fetchUrl('http://10.1.2.3/')).rejects.toThrow(/private/);
  });

  it('refuses [::1]', async () => {
    await expect(fetchUrl(`http://[::1]:${port}/hello`)).rejects.toThrow(/loopback/);
  });

  it('refuses an IPv4-mapped IPv6 loopback and 0.0.0.0', async () => {
    await expect(fetchUrl(`http://[::ffff:127.0.0.1]:${port}/hello`)).rejects.toThrow(/IPv4-mapped/);
    await expect(fetchUrl(`http://0.0.0.0:${port}/hello`)).rejects.toThrow(/unspecified/);
  });

  it('refuses a hostname resolving to loopback (localhost)', async () => {
    await expect(fetchUrl(`http://localhost:${port}/hello`)).rejects.toThrow(/localhost resolves to/);
  });

  it('refuses a host when any of its addresses is private', async () => {
    const resolveHost = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '192.168.0.10', family: 4 },
    ];
    await expect(fetchUrl('http://mixed.example/', { resolveHost })).rejects.toThrow(ValidationError);
  });

  it('refuses schemes other than http and https, and malformed URLs', async () => {
    await expect(fetchUrl('file:///etc/passwd')).rejects.toThrow(/only fetches http and https/);
    await expect(fetchUrl('ftp://example.com/')).rejects.toThrow(/only fetches http and https/);
    await expect(fetchUrl('not a url')).rejects.toThrow(/not a valid URL/);
    await expect(tool().run({}, ctx)).rejects.toThrow(/bad arguments for http_fetch: url/);
  });
});

describe('http_fetch against a local server with allowPrivate', () => {
  it('fetches from a local test server, not read-only', async () => {
    const t = tool({ allowPrivate: true });
    expect(t.readOnly).toBe(false);
    const result = await t.run({ url: `${origin}/hello` }, ctx);
    expect(result.ok).toBe(true);
    expect(result.output).toMatch(/^HTTP 200 OK\n/);
    expect(result.output).toMatch(/content-type: text\/plain/);
    expect(result.output.endsWith('\n\nhello from the test server')).toBe(true);
    expect(result.detail).toMatchObject({ status: 200, truncated: false, bytes: 26 });
  });

  it('connects to the address it checked, keeping the host name', async () => {
    const resolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
    const result = await fetchUrl(`http://app.invalid:${port}/hello`, { allowPrivate: true, resolveHost });
    expect(result.ok).toBe(true);
    expect(seen.at(-1)?.host).toBe(`app.invalid:${port}`);
  });

  it('caps the body at maxBytes and marks it truncated', async () => {
    const result = await fetchUrl(`${origin}/big`, { allowPrivate: true, maxBytes: 1000 });
    expect(result.detail).toMatchObject({ truncated: true, bytes: 1000 });
    expect(result.output).toContain(`${'y'.repeat(1000)}\n[truncated at 1000 bytes]`);
  });

  it('times out on a server that stalls', async () => {
    const started = Date.now();
    const result = await fetchUrl(`${origin}/stall`, { allowPrivate: true, timeoutMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await tool({ allowPrivate: true }).run(
      { url: `${origin}/stall` },
      fakeContext('/nonexistent', controller.signal),
    );
    expect(result).toMatchObject({ ok: false, output: 'cancelled' });
  });

  it('reports an HTTP error status as not ok', async () => {
    const result = await fetchUrl(`${origin}/missing`, { allowPrivate: true });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/^HTTP 404/);
  });

  it('follows up to 3 redirects', async () => {
    const result = await fetchUrl(`${origin}/redirect?n=3`, { allowPrivate: true });
    expect(result.ok).toBe(true);
    expect(result.detail).toMatchObject({ url: `${origin}/hello` });
  });

  it('stops after 3 redirects', async () => {
    const result = await fetchUrl(`${origin}/redirect?n=4`, { allowPrivate: true });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/too many redirects/);
  });

  it('checks every redirect hop again (a redirect to the metadata address is refused)', async () => {
    // Only the test server's own address is allowed, so the second hop meets the normal rule.
    const refuseAddress = (ip: string) => (ip === '127.0.0.1' ? undefined : nonPublicReason(ip));
    await expect(fetchUrl(`${origin}/to-metadata`, { refuseAddress })).rejects.toThrow(
      /refuses http:\/\/169\.254\.169\.254: a link-local/,
    );
  });
});
