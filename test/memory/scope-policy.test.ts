import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../src/core/errors.js';
import { asker, memoryService, testPolicy } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];

/** The default policies plus `extra` Cedar text, in a temp folder. */
function policyWith(extra: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-memory-policy-'));
  dirs.push(dir);
  copyFileSync(join(ROOT, 'config/policies/default.cedar'), join(dir, 'default.cedar'));
  writeFileSync(join(dir, 'extra.cedar'), extra);
  return testPolicy(dir);
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const NOTE = 'My parking spot is number 42 in the blue garage.';
const QUESTION = 'where is my parking spot';

describe('memory scopes under the default policy', () => {
  it("does not retrieve one person's items for another", async () => {
    const { service } = memoryService();
    await service.save({ text: NOTE, scope: 'principal', source: 't' }, asker('console:alice'));
    expect(await service.retrieve(QUESTION, asker('console:alice'))).toHaveLength(1);
    expect(await service.retrieve(QUESTION, asker('console:bob'))).toEqual([]);
    // Not even an admin's runs see someone's personal items: no default policy grants it.
    expect(await service.retrieve(QUESTION, asker('console:root'))).toEqual([]);
  });

  it('shares session items with the people of that session only', async () => {
    const { service } = memoryService();
    await service.save({ text: NOTE, scope: 'session', source: 't' }, asker('console:alice', 's1'));
    expect(await service.retrieve(QUESTION, asker('console:bob', 's1'))).toHaveLength(1);
    expect(await service.retrieve(QUESTION, asker('console:bob', 's2'))).toEqual([]);
  });

  it('lets admins (not members) save workspace items, which members retrieve', async () => {
    const { service } = memoryService();
    await expect(
      service.save({ text: NOTE, scope: 'workspace', source: 't' }, asker('console:alice')),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await service.save({ text: NOTE, scope: 'workspace', source: 't' }, asker('console:root'));
    expect(await service.retrieve(QUESTION, asker('console:bob', 's7'))).toHaveLength(1);
  });

  it('gives strangers (in no group) nothing', async () => {
    const { service } = memoryService();
    await service.save({ text: NOTE, scope: 'workspace', source: 't' }, asker('console:root'));
    expect(await service.retrieve(QUESTION, asker('discord:stranger'))).toEqual([]);
    await expect(
      service.save({ text: NOTE, scope: 'principal', source: 't' }, asker('discord:stranger')),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('memory scopes follow the policy, not the code', () => {
  it("retrieves another person's items when a policy permits it", async () => {
    const policy = policyWith(`
@id("approvers-read-all-memory")
permit (principal in Switchboard::Group::"approvers", action == Switchboard::Action::"read_memory", resource is Switchboard::User);
`);
    const { service } = memoryService({ policy });
    await service.save({ text: NOTE, scope: 'principal', source: 't' }, asker('console:alice'));
    expect(await service.retrieve(QUESTION, asker('console:carol'))).toHaveLength(1);
    expect(await service.retrieve(QUESTION, asker('console:bob'))).toEqual([]);
  });

  it('hides workspace items from someone a forbid policy names', async () => {
    const policy = policyWith(`
@id("bob-no-workspace-memory")
forbid (principal == Switchboard::User::"console:bob", action == Switchboard::Action::"read_memory", resource is Switchboard::Everyone);
`);
    const { service } = memoryService({ policy });
    await service.save({ text: NOTE, scope: 'workspace', source: 't' }, asker('console:root'));
    expect(await service.retrieve(QUESTION, asker('console:alice'))).toHaveLength(1);
    expect(await service.retrieve(QUESTION, asker('console:bob'))).toEqual([]);
  });
});
