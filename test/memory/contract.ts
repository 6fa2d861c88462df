import { describe, expect, it } from 'vitest';
import { LABELLED_ITEMS, LABELLED_QUERIES, UNRELATED_QUERIES } from '../../bench/memory-labelled.js';
import type { MemoryService } from '../../src/memory/service.js';
import type { MemoryStore } from '../../src/memory/types.js';
import { asker } from './support.js';

/** Opens a fresh, empty store with a service on it (the clock given, or the real one). */
export type OpenMemory = (options?: {
  clock?: () => number;
}) => Promise<{ service: MemoryService; store: MemoryStore }>;

/**
 * The behaviour every `MemoryStore` must have, through the service that ranks its candidates:
 * retrieval quality on the labelled set, scopes, recency, listing and deletes. Run it from a
 * store's test file with a function that opens a fresh, empty store.
 */
export function memoryContract(name: string, open: OpenMemory): void {
  describe(`retrieval on the labelled set: ${name}`, () => {
    async function seeded() {
      const { service, store } = await open();
      const keyOf = new Map<string, string>();
      for (const item of LABELLED_ITEMS) {
        const saved = await service.save(
          { text: item.text, scope: 'workspace', source: 'test' },
          asker('console:root'),
        );
        keyOf.set(saved.id, item.key);
      }
      return { service, store, keyOf };
    }

    it('puts a relevant item first for every question and leaves unrelated items out', async () => {
      const { service, keyOf } = await seeded();
      for (const q of LABELLED_QUERIES) {
        const ranked = await service.retrieve(q.query, asker('console:alice'));
        const keys = ranked.map((r) => keyOf.get(r.item.id)!);
        expect(keys.length, q.query).toBeGreaterThan(0);
        expect(q.relevant[keys[0]!], `${q.query} → ${keys.join(',')}`).toBeGreaterThan(0);
        for (const key of keys) expect(q.relevant[key], `${q.query} injected ${key}`).toBeGreaterThan(0);
      }
    });

    it('injects nothing for questions the set does not answer', async () => {
      const { service } = await seeded();
      for (const query of UNRELATED_QUERIES) {
        expect(await service.retrieve(query, asker('console:alice')), query).toEqual([]);
      }
    });

    it('ranks a newer item above an older one of the same relevance', async () => {
      let now = Date.parse('2025-01-01T00:00:00Z');
      const { service } = await open({ clock: () => now });
      const old = await service.save(
        { text: 'The VPN profile is corp-wg.', scope: 'principal', source: 't' },
        asker('console:alice'),
      );
      now += 90 * 86_400_000;
      const fresh = await service.save(
        { text: 'The VPN profile is corp-wg.', scope: 'principal', source: 't' },
        asker('console:alice'),
      );
      const ranked = await service.retrieve('which VPN profile', asker('console:alice'));
      expect(ranked.map((r) => r.item.id)).toEqual([fresh.id, old.id]);
      expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
    });
  });

  describe(`the memory store: ${name}`, () => {
    it("finds only the scopes the asker may read: one person's items are not another's", async () => {
      const { service } = await open();
      await service.save(
        { text: 'My locker code is 4711.', scope: 'principal', source: 't' },
        asker('console:alice'),
      );
      expect((await service.retrieve('locker code', asker('console:alice'))).map((r) => r.item.text)).toEqual(
        ['My locker code is 4711.'],
      );
      expect(await service.retrieve('locker code', asker('console:bob'))).toEqual([]);
    });

    it('deletes items from the index and the full-text search', async () => {
      const { service, store } = await open();
      const item = await service.save(
        { text: 'The wifi password rotates monthly.', scope: 'principal', source: 't' },
        asker('console:alice'),
      );
      expect(await service.retrieve('wifi password', asker('console:alice'))).toHaveLength(1);
      expect(await store.delete(item.id)).toBe(true);
      expect(await store.delete(item.id)).toBe(false);
      expect(await service.retrieve('wifi password', asker('console:alice'))).toEqual([]);
      expect(await store.count()).toBe(0);
    });

    it('lists newest first, filters by scope and owner, and deletes a whole scope', async () => {
      const { service, store } = await open();
      await service.save({ text: 'one', scope: 'principal', source: 't' }, asker('console:alice'));
      await service.save({ text: 'two', scope: 'principal', source: 't' }, asker('console:bob'));
      await service.save({ text: 'three', scope: 'session', source: 't' }, asker('console:alice', 's9'));
      expect((await store.list({ limit: 10 })).map((i) => i.text)).toEqual(['three', 'two', 'one']);
      expect(
        (await store.list({ limit: 10, scope: 'principal', owner: 'console:bob' })).map((i) => i.text),
      ).toEqual(['two']);
      expect((await store.list({ limit: 10, scope: 'session' }))[0]).toMatchObject({
        owner: 's9',
        conversation: 'console:chan-s9',
      });
      expect(await store.deleteScope('principal', 'console:alice')).toBe(1);
      expect(await store.count()).toBe(2);
    });

    it('refuses empty and too long texts and strips control characters', async () => {
      const { service } = await open();
      await expect(
        service.save({ text: ' \u0007 ', scope: 'principal', source: 't' }, asker('console:alice')),
      ).rejects.toThrow(/empty/);
      await expect(
        service.save({ text: 'x'.repeat(2001), scope: 'principal', source: 't' }, asker('console:alice')),
      ).rejects.toThrow(/2000/);
      const item = await service.save(
        { text: ' a\u0000b\tc ', scope: 'principal', source: 't' },
        asker('console:alice'),
      );
      expect(item.text).toBe('ab\tc');
    });
  });
}
