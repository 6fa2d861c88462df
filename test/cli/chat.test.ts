import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess } from '../support/daemon-process.js';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/src/cli/main.js');

describe('switchboard chat, the terminal client', () => {
  let fake: FakeOpenAI;
  let daemon: DaemonProcess;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    daemon = await startDaemonProcess({
      env: { OPENAI_BASE_URL: `${fake.url}/v1`, SWITCHBOARD_MODEL: 'fake-model' },
    });
  });
  afterAll(async () => {
    await daemon?.stop();
    await fake?.close();
  });

  it('sends each line, prints the streamed answer, and decides an approval with /approve', async () => {
    fake.enqueue(
      { text: 'Hi from the terminal' },
      { toolCalls: [{ name: 'shell_exec', arguments: { command: 'echo chat-ran' } }] },
      { text: 'shell done' },
    );
    const child = spawn(process.execPath, [CLI, 'chat', '--session', 'console:cli-test'], {
      env: {
        PATH: process.env.PATH ?? '',
        SWITCHBOARD_URL: daemon.url,
        SWITCHBOARD_ADMIN_TOKEN: daemon.token,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return pattern.exec(out)!;
    };
    child.stdin.write('hello\n');
    await waitFor(/agent> Hi from the terminal/);
    child.stdin.write('please run it\n');
    const approval = await waitFor(/\/approve (\w+)/);
    child.stdin.write(`/approve ${approval[1]}\n`);
    await waitFor(/approval \w+: approved/);
    await waitFor(/agent> shell done/);
    // /new: the next line starts a fresh session, with none of the turns above.
    child.stdin.write('/new\n');
    await waitFor(/started afresh; the earlier session \(\w+\) stays readable/);
    fake.enqueue({ text: 'fresh start' });
    const before = fake.chatRequests.length;
    child.stdin.write('who am I talking to?\n');
    await waitFor(/agent> fresh start/);
    const request = JSON.stringify(fake.chatRequests[before]?.body);
    expect(request).toContain('who am I talking to?');
    expect(request).not.toContain('Hi from the terminal');
    child.stdin.write('/quit\n');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(out).toContain('[running shell_exec]');
  });
});
