import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY_BLOCK_NOTE } from '../../src/orchestrator/augment.js';
import type { ContentPart } from '../../src/providers/provider.js';
import { type FileServer, type InputHarness, PNG, startFileServer, startInputHarness } from './harness.js';

interface RequestBody {
  input: {
    attachments: { name: string; status: string; reason?: string; sha256?: string; truncated?: boolean }[];
    memory: { items: { id: string; scope: string; score: number }[] };
    normalized: boolean;
  };
}

describe('attachments reach the model as specified', () => {
  let files: FileServer;
  let core: InputHarness;

  beforeAll(async () => {
    files = await startFileServer({
      '/notes.txt': ['text/plain', 'Build 42 failed on step "lint".\nRetry after fixing imports.'],
      '/pic.png': ['image/png', PNG],
      '/big.log': ['text/plain', 'x'.repeat(3000)],
      '/long.md': ['text/markdown', 'y'.repeat(500)],
    });
    core = await startInputHarness({
      attachments: { allow_private: true, images: true, max_bytes: 2048, max_text_chars: 100 },
    });
  });

  afterAll(async () => {
    await core?.stop();
    await files?.close();
  });

  function lastUser(index = -1): string | ContentPart[] {
    const request = core.provider.requests.at(index)!;
    const user = request.messages.filter((m) => m.role === 'user').at(-1)!;
    return user.content as string | ContentPart[];
  }

  async function providerRequest(runId: string): Promise<RequestBody> {
    const tape = await core.journal.readTape(runId);
    return tape.find((e) => e.kind === 'provider_request')!.body as RequestBody;
  }

  it('puts a text file inline, fenced and named', async () => {
    const run = await core.send('what went wrong?', {
      attachments: [{ name: 'notes.txt', url: `${files.url}/notes.txt`, mimeType: 'text/plain' }],
    });
    expect(run.state).toBe('succeeded');
    const content = lastUser();
    expect(typeof content).toBe('string');
    expect(content).toContain('what went wrong?');
    expect(content).toContain(
      '<attachment name="notes.txt" type="text/plain">\nBuild 42 failed on step "lint".',
    );
    const body = await providerRequest(run.id);
    expect(body.input.attachments).toEqual([
      expect.objectContaining({
        name: 'notes.txt',
        status: 'inline',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
  });

  it('cuts a long text file and says so', async () => {
    await core.send('summarize', { attachments: [{ name: 'long.md', url: `${files.url}/long.md` }] });
    expect(lastUser()).toContain(`${'y'.repeat(100)}\n[… cut after 100 characters]`);
  });

  it('sends an image as an image part when images are on', async () => {
    const run = await core.send('what is in the picture?', {
      attachments: [
        { name: 'pic.png', url: `${files.url}/pic.png`, mimeType: 'image/png', size: PNG.length },
      ],
    });
    const content = lastUser() as ContentPart[];
    expect(Array.isArray(content)).toBe(true);
    expect(content[0]).toMatchObject({ type: 'text' });
    expect((content[0] as { text: string }).text).toContain(
      '"pic.png" (image/png, 70 bytes) is included as an image',
    );
    expect(content[1]).toEqual({ type: 'image', mimeType: 'image/png', dataBase64: PNG.toString('base64') });
    expect((await providerRequest(run.id)).input.attachments[0]).toMatchObject({ status: 'image' });
  });

  it('describes other files without downloading them', async () => {
    const before = files.hits.get('/report.pdf') ?? 0;
    const run = await core.send('see attached', {
      attachments: [
        { name: 'report.pdf', url: `${files.url}/report.pdf`, mimeType: 'application/pdf', size: 1500 },
      ],
    });
    expect(lastUser()).toContain(
      '[Attachment "report.pdf" (application/pdf, 1 KB): its content is not included.]',
    );
    expect(files.hits.get('/report.pdf') ?? 0).toBe(before);
    expect((await providerRequest(run.id)).input.attachments[0]).toMatchObject({ status: 'described' });
  });

  it('refuses an oversized file, tells the model and the person', async () => {
    const run = await core.send('check this log', {
      attachments: [{ name: 'big.log', url: `${files.url}/big.log`, mimeType: 'text/plain' }],
    });
    expect(run.state).toBe('succeeded');
    const content = lastUser() as string;
    expect(content).toContain('[Attachments not read: "big.log" (it is larger than the 2 KB limit)');
    expect(content).not.toContain('xxxx');
    expect((await providerRequest(run.id)).input.attachments[0]).toMatchObject({
      name: 'big.log',
      status: 'refused',
      reason: 'it is larger than the 2 KB limit',
    });
    const outbox = await core.journal.listOutbox({ runId: run.id, limit: 10 });
    const notice = outbox.find((o) => o.kind === 'notice');
    expect((notice!.payload as { text: string }).text).toBe(
      'Note: I could not read the attachment big.log (it is larger than the 2 KB limit).',
    );
    expect(outbox.map((o) => o.kind)).toEqual(['notice', 'reply']);
  });

  it('refuses a declared size over the limit and a type not on the allow-list, unread', async () => {
    const run = await core.send('two files', {
      attachments: [
        { name: 'huge.txt', url: `${files.url}/huge.txt`, mimeType: 'text/plain', size: 10_000_000 },
        { name: 'setup.exe', url: `${files.url}/setup.exe`, mimeType: 'application/x-msdownload' },
      ],
    });
    expect(files.hits.get('/huge.txt')).toBeUndefined();
    expect(files.hits.get('/setup.exe')).toBeUndefined();
    const outbox = await core.journal.listOutbox({ runId: run.id, limit: 10 });
    expect((outbox[0]!.payload as { text: string }).text).toBe(
      'Note: I could not read 2 attachments: huge.txt (it is 9.5 MB, above the 2 KB limit); setup.exe (files of type application/x-msdownload are not accepted).',
    );
    expect(lastUser()).toContain('Tell the user these files were not read and why.');
  });

  it('refuses links that are not http(s) and addresses it may not reach', async () => {
    const strict = await startInputHarness({ attachments: { allow_private: false } });
    try {
      const run = await strict.send('files', {
        attachments: [
          { name: 'a.txt', url: `${files.url}/notes.txt` },
          { name: 'b.txt', url: 'tg-file:ABC' },
          { name: 'c.txt', url: 'http://169.254.169.254/latest/meta-data' },
        ],
      });
      const tape = await strict.journal.readTape(run.id);
      const body = tape.find((e) => e.kind === 'provider_request')!.body as RequestBody;
      expect(body.input.attachments.map((a) => [a.status, a.reason])).toEqual([
        ['refused', 'its host 127.0.0.1 is a loopback address (attachments.allow_private)'],
        ['refused', 'its link (tg-file:) is not an http or https URL'],
        [
          'refused',
          'its host 169.254.169.254 is a link-local address (cloud metadata lives here) (attachments.allow_private)',
        ],
      ]);
    } finally {
      await strict.stop();
    }
  });

  it('normalizes the text: control characters removed, trimmed', async () => {
    const run = await core.send('  hello\u0007 there\r\nsecond line\u202e  ');
    expect(lastUser()).toBe('hello there\nsecond line');
    expect((await providerRequest(run.id)).input.normalized).toBe(true);
  });

  it('keeps the prepared input for the steps after a tool call, fetching once', async () => {
    core.provider.enqueue(
      { toolCalls: [{ name: 'memory_search', args: { query: 'lint' } }] },
      { text: 'done' },
    );
    const before = files.hits.get('/notes.txt') ?? 0;
    const run = await core.send('again', {
      attachments: [{ name: 'notes.txt', url: `${files.url}/notes.txt` }],
    });
    expect(run.state).toBe('succeeded');
    expect(files.hits.get('/notes.txt')).toBe(before + 1);
    const [first, second] = core.provider.requests.slice(-2);
    expect(second!.messages.find((m) => m.role === 'user' && String(m.content).includes('again'))).toEqual(
      first!.messages.find((m) => m.role === 'user' && String(m.content).includes('again')),
    );
  });
});

describe('memory augmentation', () => {
  let core: InputHarness;
  let stagingId = '';

  beforeAll(async () => {
    core = await startInputHarness();
    const root = {
      principal: 'console:root',
      sessionId: 's0',
      conversation: { platform: 'console', channel: 'x' },
    };
    const staging = await core.memory.service.save(
      {
        text: 'The staging database is PostgreSQL 16 at db-staging.internal, port 5432.',
        scope: 'workspace',
        source: 't',
      },
      root,
    );
    stagingId = staging.id;
    await core.memory.service.save(
      {
        text: 'The office coffee machine on floor 3 is descaled every Friday.',
        scope: 'workspace',
        source: 't',
      },
      root,
    );
  });

  afterAll(async () => {
    await core?.stop();
  });

  it('injects the relevant item in a fenced reference block, records it, and leaves the irrelevant one out', async () => {
    const run = await core.send('How do I connect to the staging database?');
    const user = core.provider.requests.at(-1)!.messages.at(-1)!;
    const content = String(user.content);
    expect(content.startsWith(`<memory_items>\n${MEMORY_BLOCK_NOTE}\n- [workspace, saved `)).toBe(true);
    expect(content).toContain('db-staging.internal');
    expect(content).not.toContain('coffee');
    expect(content.endsWith('</memory_items>\n\nHow do I connect to the staging database?')).toBe(true);
    const tape = await core.journal.readTape(run.id);
    const body = tape.find((e) => e.kind === 'provider_request')!.body as RequestBody;
    expect(body.input.memory.items).toEqual([
      { id: stagingId, scope: 'workspace', score: expect.any(Number) },
    ]);
  });

  it('injects nothing for an unrelated question', async () => {
    const run = await core.send('Write a haiku about autumn leaves.');
    expect(String(core.provider.requests.at(-1)!.messages.at(-1)!.content)).toBe(
      'Write a haiku about autumn leaves.',
    );
    const tape = await core.journal.readTape(run.id);
    expect((tape.find((e) => e.kind === 'provider_request')!.body as RequestBody).input.memory.items).toEqual(
      [],
    );
  });

  it('keeps history free of earlier memory blocks', async () => {
    const key = 'console:history';
    core.provider.enqueue({ text: 'use port 5432' }, { text: 'you are welcome' });
    await core.send('How do I connect to the staging database?', { sessionKey: key });
    await core.send('thanks', { sessionKey: key });
    const messages = core.provider.requests.at(-1)!.messages;
    expect(messages.filter((m) => String(m.content).includes('<memory_items>'))).toHaveLength(0);
  });
});
