import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../../src/memory/embedding.js';
import { openPostgresMemoryStore, type PostgresMemoryStore } from '../../src/memory/postgres-memory-store.js';
import { memoryContract } from './contract.js';
import { asker, serviceOn } from './support.js';

const url = process.env.SWITCHBOARD_TEST_DATABASE_URL;
/** The offline embedder's id, so the stores' vectors count as current. */
const EMBEDDER = createOfflineEmbedder().id;

let counter = 0;
const schemas: string[] = [];
/** A fresh, empty schema per store, so tests never see each other's items. */
function freshUrl(): string {
  counter += 1;
  const schema = `sb_mem_${process.pid}_${counter}`;
  schemas.push(schema);
  const u = new URL(url!);
  u.searchParams.set('schema', schema);
  return u.toString();
}

describe.skipIf(!url)('PostgreSQL memory store', () => {
  const opened: PostgresMemoryStore[] = [];
  const open = async (schemaUrl = freshUrl(), vectors: 'auto' | 'plain' = 'plain') => {
    const store = await openPostgresMemoryStore({ url: schemaUrl, embedder: EMBEDDER, vectors });
    opened.push(store);
    return store;
  };

  afterAll(async () => {
    for (const store of opened) await store.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  memoryContract('postgres (plain vectors)', async (options) => {
    const store = await open();
    return { store, service: serviceOn(store, options) };
  });

  // pgvector where the server offers it (CI installs it), the plain scan where it does not.
  memoryContract('postgres (auto: pgvector where the server has it)', async (options) => {
    const store = await open(freshUrl(), 'auto');
    return { store, service: serviceOn(store, options) };
  });

  it('memory saved through one replica is retrieved through another', async () => {
    const shared = freshUrl();
    const first = serviceOn(await open(shared));
    const second = serviceOn(await open(shared));
    const saved = await first.save(
      { text: 'The staging database is restored every Sunday night.', scope: 'workspace', source: 't' },
      asker('console:root'),
    );
    const found = await second.retrieve('when is staging restored', asker('console:bob'));
    expect(found.map((r) => r.item.id)).toEqual([saved.id]);
    // And a delete on the second is seen by the first at once: no copy is kept in a process.
    expect(await second.store.delete(saved.id)).toBe(true);
    expect(await first.retrieve('when is staging restored', asker('console:bob'))).toEqual([]);
  });

  it('says which vector mode it runs in, plain when asked', async () => {
    expect((await open()).vectorMode).toBe('plain');
  });

  it('uses pgvector when the server offers it, the plain scan when it does not', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const offered = (await admin.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"))
      .rowCount;
    await admin.end();
    const store = await open(freshUrl(), 'auto');
    if (offered) expect(store.vectorMode).toMatchObject({ schema: expect.any(String) });
    else expect(store.vectorMode).toBe('plain');
    const service = serviceOn(store);
    await service.save(
      { text: 'The printer on floor 3 needs toner.', scope: 'workspace', source: 't' },
      asker('console:root'),
    );
    const [hit] = await service.retrieve('printer toner', asker('console:bob'));
    expect(hit?.item.text).toBe('The printer on floor 3 needs toner.');
    expect(hit?.similarity).toBeGreaterThan(0.2);
  });
});
