/**
 * Two agents with two models (two fake model servers) in the real daemon, routed by bindings:
 * each person's session is answered by the model of its agent, with that agent's key.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';

describe('several agents in the real daemon', () => {
  let general: FakeOpenAI;
  let coding: FakeOpenAI;
  let daemon: DaemonProcess;
  let data: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    general = await startFakeOpenAI();
    coding = await startFakeOpenAI();
    data = tempDataDir();
    const configPath = join(data.dir, 'switchboard.yaml');
    writeFileSync(
      configPath,
      [
        'groups:',
        '  admins: ["console:admin"]',
        '  members: ["console:*"]',
        'agents:',
        '  default:',
        '    system_prompt: You help everyone.',
        '    tools: [current_time]',
        '  coder:',
        '    system_prompt: You write code.',
        '    tools: [current_time]',
        `    model: { name: coder-model, base_url: "${coding.url}/v1", api_key_env: CODER_KEY }`,
        'bindings:',
        '  - { match: { principal: "console:carol" }, agent: coder }',
        '  - { match: { channel: console, principal: "console:ca*" }, agent: default }',
        '',
      ].join('\n'),
    );
    daemon = await startDaemonProcess({
      dataDir: data.dir,
      env: {
        OPENAI_BASE_URL: `${general.url}/v1`,
        SWITCHBOARD_MODEL: 'general-model',
        OPENAI_API_KEY: 'sk-general',
        CODER_KEY: 'sk-coder-secret',
        SWITCHBOARD_CONFIG: configPath,
      },
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await general?.close();
    await coding?.close();
    data?.cleanup();
  });

  const ask = async (principal: string, text: string) => {
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: `console:agents-${principal}`,
      text,
      principal,
    });
    expect(sent.status).toBe(202);
    return daemon.waitForRun(sent.body.run_id);
  };

  it('answers each person from the model of the agent their binding picks', async () => {
    general.enqueue({ text: 'general answer' });
    coding.enqueue({ text: 'coder answer' });
    const carol = await ask('console:carol', 'write a loop');
    const cass = await ask('console:cass', 'hello');
    expect(carol).toMatchObject({ state: 'succeeded', agent: 'coder' });
    expect(cass).toMatchObject({ state: 'succeeded', agent: 'default' });
    expect(coding.chatRequests).toHaveLength(1);
    expect(general.chatRequests).toHaveLength(1);
    const coderRequest = coding.chatRequests[0]!;
    expect(coderRequest.headers.authorization).toBe('Bearer sk-coder-secret');
    expect((coderRequest.body as { model: string }).model).toBe('coder-model');
    expect(JSON.stringify(coderRequest.body)).toContain('You write code.');
    expect(general.chatRequests[0]?.headers.authorization).toBe('Bearer sk-general');
    // The key of an agent never reaches the log.
    expect(daemon.output()).not.toContain('sk-coder-secret');
  });
});
