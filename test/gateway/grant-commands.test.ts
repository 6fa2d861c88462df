import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';

const ADMIN = 'telegram:1';
const APPROVER = 'telegram:2';
const MEMBER = 'telegram:3';
const where = { platform: 'telegram', channel: '-100' };

describe('/grants: bad input and the wrong person', () => {
  let core: CoreHarness;
  beforeEach(async () => {
    core = await startCoreHarness({ groups: { admins: [ADMIN], approvers: [APPROVER], members: [MEMBER] } });
  });
  afterEach(async () => core.stop());

  const grants = (principal: string, args: string[]) =>
    core.gateway.command({ name: 'grants', args, principal, conversation: where });

  it('an unknown or misspelt use is answered with how to use it, and nothing changes', async () => {
    for (const args of [['list'], ['revoke'], ['revoke', 'a', 'b']]) {
      const answer = await grants(ADMIN, args);
      expect(answer.ok, args.join(' ')).toBe(false);
      expect(answer.text).toContain('grants revoke <id>');
    }
  });

  it('revoking a grant that does not exist says so; revoking twice says by whom', async () => {
    const unknown = await grants(ADMIN, ['revoke', '01NOSUCHGRANT0000000000000']);
    expect(unknown).toMatchObject({ ok: false });
    expect(unknown.text).toContain('does not exist');
    const grant = await core.journal.createGrant({
      id: '01GRANTCMD00000000000000001',
      tool: 'test_action',
      pattern: { kind: 'exact', argsHash: 'h' },
      scope: { kind: 'everyone' },
      createdBy: ADMIN,
      expiresAt: null,
      approvalId: null,
      now: Date.now(),
    });
    expect((await grants(ADMIN, ['revoke', grant.id])).ok).toBe(true);
    const again = await grants(ADMIN, ['revoke', grant.id]);
    expect(again).toMatchObject({ ok: false });
    expect(again.text).toContain(`already revoked by ${ADMIN}`);
  });

  it('an approver may list but not revoke; a member may do neither', async () => {
    expect(await grants(APPROVER, [])).toMatchObject({
      ok: true,
      text: expect.stringContaining('No grants'),
    });
    const approverRevokes = await grants(APPROVER, ['revoke', '01NOSUCHGRANT0000000000000']);
    expect(approverRevokes.ok).toBe(false);
    expect(approverRevokes.text).toContain('may not revoke');
    expect((await grants(MEMBER, [])).ok).toBe(false);
  });
});
