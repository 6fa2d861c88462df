import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Grant } from '../../src/core/types.js';
import { GrantBook, type GrantPolicyTarget } from '../../src/gateway/grant-book.js';
import { openSqliteJournal, type SqliteJournal } from '../../src/journal/sqlite/index.js';
import type { NewGrant } from '../../src/journal/store.js';
import { loadPolicyEngine, type PolicyEngineHandle } from '../../src/policy/cedar-engine.js';
import type { SourceFile } from '../../src/policy/source.js';

const ROOT = resolve(import.meta.dirname, '../..');
const logger = pino({ level: 'silent' });
const ALICE = 'discord:alice';
let serial = 0;

function grantOf(over: Partial<NewGrant> = {}): NewGrant {
  serial += 1;
  return {
    id: `01GRANTBOOK${String(serial).padStart(15, '0')}`,
    tool: 'shell_exec',
    pattern: { kind: 'program', program: 'echo' },
    scope: { kind: 'everyone' },
    createdBy: 'discord:boss',
    expiresAt: null,
    approvalId: null,
    now: Date.now(),
    ...over,
  };
}

describe('the grant book', () => {
  let dir: string;
  let policyDir: string;
  let journal: SqliteJournal;
  let engine: PolicyEngineHandle;
  let book: GrantBook;

  const start = (extraCedar = '') => {
    writeFileSync(join(policyDir, 'operator.cedar'), extraCedar);
    engine = loadPolicyEngine({
      dir: policyDir,
      schemaPath: join(ROOT, 'config/schema.cedarschema'),
      groups: { admins: ['discord:boss'], approvers: [], members: [ALICE] },
    });
    book = new GrantBook({ journal, engine, clock: Date.now, logger });
  };

  /** How a shell_exec call running `command` by alice is decided now. */
  const decide = (command: string) =>
    engine.decideToolCall({
      principal: ALICE,
      tool: 'shell_exec',
      readOnly: false,
      program: command.split(' ')[0] ?? '',
      argsHash: `hash of ${command}`,
      sessionId: 's1',
      conversation: { platform: 'discord', channel: 'c1' },
    }).decision;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-grant-book-'));
    policyDir = join(dir, 'policies');
    mkdirSync(policyDir);
    copyFileSync(join(ROOT, 'config/policies/default.cedar'), join(policyDir, 'default.cedar'));
    journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite3') });
    await journal.migrate();
  });

  afterEach(async () => {
    book?.stop();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the journal’s active grants in force, and a revoked one out', async () => {
    start();
    expect(decide('echo hi')).toBe('ask');
    const grant = await journal.createGrant(grantOf());
    await book.reload();
    expect(decide('echo hi')).toBe('allow');
    expect(decide('ls /')).toBe('ask');
    expect(book.grants.map((g) => g.id)).toEqual([grant.id]);
    await journal.revokeGrant(grant.id, 'discord:boss', Date.now());
    await book.reload();
    expect(decide('echo hi')).toBe('ask');
  });

  it('a reload that finds the same grants does not build the policy set again', async () => {
    start();
    let builds = 0;
    const counting = {
      setExtraPolicies: (extra: Parameters<typeof engine.setExtraPolicies>[0]) => {
        builds += 1;
        return engine.setExtraPolicies(extra);
      },
      checkExtraPolicies: (extra: Parameters<typeof engine.checkExtraPolicies>[0]) =>
        engine.checkExtraPolicies(extra),
    };
    book = new GrantBook({ journal, engine: counting, clock: Date.now, logger });
    await book.reload();
    expect(builds, 'no grants at the start: nothing to build').toBe(0);
    await journal.createGrant(grantOf());
    await book.reload();
    await book.reload();
    expect(builds).toBe(1);
    expect(decide('echo hi')).toBe('allow');
  });

  it("a forbid in the operator's policies wins over a grant", async () => {
    start(`@id("no-rm")
forbid (principal, action == Switchboard::Action::"call_tool", resource == Switchboard::Tool::"shell_exec")
when { context.program == "rm" };`);
    await journal.createGrant(grantOf({ pattern: { kind: 'program', program: 'rm' } }));
    await journal.createGrant(grantOf({ pattern: { kind: 'program', program: 'echo' } }));
    await book.reload();
    expect(decide('echo hi'), 'the other grant is in force').toBe('allow');
    expect(decide('rm -r tmp'), 'the forbid wins: a human is asked').toBe('ask');
  });

  it('a grant stops covering calls when it expires', async () => {
    start();
    await journal.createGrant(grantOf({ expiresAt: Date.now() + 400 }));
    await book.reload();
    expect(decide('echo hi')).toBe('allow');
    await expect.poll(() => decide('echo hi'), { timeout: 5_000, interval: 50 }).toBe('ask');
    expect(book.grants).toEqual([]);
  });

  it('a grant made or revoked while an operator’s policy file is broken on disk still takes effect', async () => {
    start();
    writeFileSync(join(policyDir, 'operator.cedar'), 'permit (principal, action, resource'); // half-typed
    const grant = await journal.createGrant(grantOf());
    await book.reload();
    expect(decide('echo hi')).toBe('allow');
    await journal.revokeGrant(grant.id, 'discord:boss', Date.now());
    await book.reload();
    expect(decide('echo hi')).toBe('ask');
    // The broken file is reported when the operator's policies are reloaded, and changes nothing.
    expect(engine.reload().ok).toBe(false);
    expect(decide('echo hi')).toBe('ask');
  });

  it('grants survive a restart: a new book on the same journal puts them in force', async () => {
    start();
    await journal.createGrant(grantOf());
    start(); // a fresh engine and book, as after a restart
    expect(decide('echo hi')).toBe('ask');
    await book.reload();
    expect(decide('echo hi')).toBe('allow');
  });

  it('a revoked grant is out of force at once even when the journal cannot be read', async () => {
    start();
    let unreadable = false;
    const gated = {
      listGrants: (query: Parameters<typeof journal.listGrants>[0]) =>
        unreadable ? Promise.reject(new Error('database is locked')) : journal.listGrants(query),
    };
    book.stop();
    book = new GrantBook({ journal: gated, engine, clock: Date.now, logger });
    const grant = await journal.createGrant(grantOf());
    await book.reload();
    expect(decide('echo hi')).toBe('allow');
    await journal.revokeGrant(grant.id, 'discord:boss', Date.now());
    unreadable = true;
    await book.drop(grant.id);
    expect(decide('echo hi')).toBe('ask');
  });

  it('a reload that fails is tried again until the grants are in force', async () => {
    start();
    await journal.createGrant(grantOf());
    let failures = 1;
    const flaky = {
      listGrants: (query: Parameters<typeof journal.listGrants>[0]) =>
        failures-- > 0 ? Promise.reject(new Error('connection lost')) : journal.listGrants(query),
    };
    book = new GrantBook({ journal: flaky, engine, clock: Date.now, logger });
    await expect(book.reload()).rejects.toThrow('connection lost');
    expect(decide('echo hi')).toBe('ask');
    await expect.poll(() => decide('echo hi'), { timeout: 6_000, interval: 100 }).toBe('allow');
  });

  it('a grant the policy set will not take is left out and the others stay in force', async () => {
    const good = await journal.createGrant(grantOf());
    const bad = await journal.createGrant(grantOf({ tool: 'http_fetch' }));
    const applied: SourceFile[][] = [];
    // An engine that refuses any set holding the bad grant, as a schema change could.
    const target: GrantPolicyTarget = {
      setExtraPolicies: (extra) => {
        if (extra.some((s) => s.path === `grant:${bad.id}`)) return { ok: false, errors: ['bad grant'] };
        applied.push([...extra]);
        return { ok: true, policyCount: extra.length, warnings: [] };
      },
      checkExtraPolicies: (extra) => (extra.some((s) => s.path === `grant:${bad.id}`) ? ['bad grant'] : []),
    };
    book = new GrantBook({ journal, engine: target, clock: Date.now, logger });
    await book.reload();
    expect(book.grants.map((g: Grant) => g.id)).toEqual([good.id]);
    expect(applied.at(-1)?.map((s) => s.path)).toEqual([`grant:${good.id}`]);
    expect(book.check({ id: 'X1', tool: 'current_time', pattern: good.pattern, scope: good.scope })).toEqual(
      [],
    );
  });
});
