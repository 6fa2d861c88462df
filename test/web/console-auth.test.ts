import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DaemonProcess,
  expectStartFailure,
  startDaemonProcess,
  tempDataDir,
} from '../support/daemon-process.js';

const TOKENS = {
  alice: 'alice-console-token-0123456789',
  bob: 'bob-console-token-0123456789ab',
  carol: 'carol-console-token-from-a-file',
};

const CONFIG = `
groups:
  admins: ["console:admin"]
  approvers: ["console:alice"]
  members: ["console:*"]
channels:
  console:
    users:
      - { name: alice, token_env: SWITCHBOARD_CONSOLE_TOKEN_ALICE }
      - { name: bob, token_env: SWITCHBOARD_CONSOLE_TOKEN_BOB }
      - { name: carol, token_file: carol.token }
`;

describe('console tokens and what they may read', () => {
  let daemon: DaemonProcess;
  let data: { dir: string; cleanup: () => void };
  let configPath: string;

  beforeAll(async () => {
    data = tempDataDir();
    configPath = join(data.dir, 'switchboard.yaml');
    writeFileSync(configPath, CONFIG);
    writeFileSync(join(data.dir, 'carol.token'), `${TOKENS.carol}\n`, { mode: 0o600 });
    daemon = await startDaemonProcess({
      dataDir: data.dir,
      env: {
        SWITCHBOARD_CONFIG: configPath,
        SWITCHBOARD_CONSOLE_TOKEN_ALICE: TOKENS.alice,
        SWITCHBOARD_CONSOLE_TOKEN_BOB: TOKENS.bob,
      },
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    data?.cleanup();
  });

  const as = (who: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[who]}` });

  it('maps each token to its console principal', async () => {
    const admin = await daemon.api<Record<string, unknown>>('GET', '/v1/console/me');
    expect(admin.body).toEqual({
      principal: 'console:admin',
      admin: true,
      read_admin: true,
      approve: true,
      read_events: true,
      read_usage_all: true,
      read_grants: true,
      read_access: true,
    });
    const alice = await daemon.api('GET', '/v1/console/me', undefined, as('alice'));
    expect(alice.body).toEqual({
      principal: 'console:alice',
      admin: false,
      read_admin: false,
      approve: true,
      read_events: false,
      read_usage_all: false,
      // An approver may list the grants (they decide what is asked).
      read_grants: true,
      read_access: false,
    });
    const carol = await daemon.api('GET', '/v1/console/me', undefined, as('carol'));
    expect(carol.body).toMatchObject({ principal: 'console:carol', approve: false, read_grants: false });
    const wrong = await daemon.api('GET', '/v1/console/me', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('lets a user chat only as themselves', async () => {
    const impersonate = await daemon.api(
      'POST',
      '/v1/messages',
      { session_key: 'console:bob-1', text: 'hi', principal: 'console:admin' },
      as('bob'),
    );
    expect(impersonate.status).toBe(403);
    const sent = await daemon.api<{ run_id: string }>(
      'POST',
      '/v1/messages',
      { session_key: 'console:bob-1', text: 'hi' },
      as('bob'),
    );
    expect(sent.status).toBe(202);
    const run = await daemon.waitForRun(sent.body.run_id);
    expect(run.principal).toBe('console:bob');
  });

  it("limits a member's reads to their own runs and sessions", async () => {
    const own = await daemon.api<{ runs: { id: string; session_id: string }[] }>(
      'GET',
      '/v1/runs?principal=console:bob',
      undefined,
      as('bob'),
    );
    expect(own.status).toBe(200);
    const mine = own.body.runs[0]!;
    expect((await daemon.api('GET', `/v1/runs/${mine.id}/tape`, undefined, as('bob'))).status).toBe(200);
    expect((await daemon.api('GET', `/v1/sessions/${mine.session_id}`, undefined, as('bob'))).status).toBe(
      200,
    );
    expect((await daemon.api('GET', `/v1/approvals?run_id=${mine.id}`, undefined, as('bob'))).status).toBe(
      200,
    );

    const other = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:admin-1',
      text: 'admin only',
    });
    await daemon.waitForRun(other.body.run_id);
    for (const path of [
      '/v1/runs',
      '/v1/runs?principal=console:admin',
      `/v1/runs/${other.body.run_id}`,
      `/v1/runs/${other.body.run_id}/tape`,
      '/v1/sessions',
      '/v1/approvals',
      '/v1/events/recent',
      '/metrics',
      '/v1/usage',
    ]) {
      const refused = await daemon.api<{ error: { code: string } }>('GET', path, undefined, as('bob'));
      expect([path, refused.status]).toEqual([path, 403]);
      expect(refused.body.error.code).toBe('forbidden');
    }
    expect((await daemon.api('GET', '/v1/usage?principal=console:bob', undefined, as('bob'))).status).toBe(
      200,
    );
    // An approver lists the approvals they may decide.
    expect((await daemon.api('GET', '/v1/approvals', undefined, as('alice'))).status).toBe(200);
  });

  it('serves the console page and assets with a strict content security policy', async () => {
    const page = await fetch(`${daemon.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/assets/app.js');
    const script = await fetch(`${daemon.url}/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${daemon.url}/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('exports runs, approvals, latency histograms and channel state as metrics', async () => {
    const metrics = await daemon.api<string>('GET', '/metrics');
    expect(metrics.body).toMatch(/switchboard_runs\{state="succeeded"\} \d+/);
    expect(metrics.body).toContain('# TYPE switchboard_approvals gauge');
    expect(metrics.body).toMatch(/switchboard_tape_append_seconds_count \d+/);
    expect(metrics.body).toContain('# TYPE switchboard_provider_latency_seconds histogram');
    expect(metrics.body).toContain('switchboard_channel_up{channel="console"} 1');
  });

  it('refuses to start when a console user has no token, naming the variable and not a secret', async () => {
    const bad = tempDataDir();
    try {
      const path = join(bad.dir, 'switchboard.yaml');
      writeFileSync(
        path,
        'channels:\n  console:\n    users:\n      - { name: dave, token_env: DAVE_TOKEN }\n',
      );
      const failed = await expectStartFailure({ SWITCHBOARD_CONFIG: path, SWITCHBOARD_DATA_DIR: bad.dir });
      expect(failed.code).not.toBe(0);
      expect(failed.output).toContain('DAVE_TOKEN');
      writeFileSync(
        path,
        'channels:\n  console:\n    users:\n      - { name: dave, token: "inline-secret" }\n',
      );
      const inline = await expectStartFailure({ SWITCHBOARD_CONFIG: path, SWITCHBOARD_DATA_DIR: bad.dir });
      expect(inline.code).not.toBe(0);
      expect(inline.output).toMatch(/unknown key channels\.console\.users\.0\.token/);
    } finally {
      bad.cleanup();
    }
  });
});
