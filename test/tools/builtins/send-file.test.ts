import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TapeEvent } from '../../../src/core/types.js';
import { filesChosenSinceLastModelCall } from '../../../src/orchestrator/sent-files.js';
import { createSendFileTool, readSentFile } from '../../../src/tools/builtins/send-file.js';

describe('send_file', () => {
  let root: string;
  let workspace: string;
  const ctx = () => ({
    runId: 'r1',
    sessionId: 's1',
    principal: 'console:alice',
    workspaceDir: workspace,
    signal: new AbortController().signal,
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-send-file-'));
    workspace = join(root, 'workspace');
    mkdirSync(join(workspace, 'out'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'not for the chat');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('describes a workspace file for the outbox, with its size and type', async () => {
    writeFileSync(join(workspace, 'out', 'chart.png'), Buffer.alloc(2048, 1));
    const result = await createSendFileTool({ workspaceDir: workspace }).run(
      { path: 'out/chart.png', caption: 'chart' },
      ctx(),
    );
    expect(result.ok).toBe(true);
    expect(result.detail).toEqual({
      sendFile: {
        path: 'out/chart.png',
        name: 'chart.png',
        size: 2048,
        mimeType: 'image/png',
        caption: 'chart',
      },
    });
  });

  it('refuses a path outside the workspace, a folder, and a file over the limit', async () => {
    const tool = createSendFileTool({ workspaceDir: workspace, maxBytes: 100 });
    await expect(tool.run({ path: '../secret.txt' }, ctx())).rejects.toThrow(/outside|workspace/);
    expect((await tool.run({ path: 'out' }, ctx())).ok).toBe(false);
    writeFileSync(join(workspace, 'big.bin'), Buffer.alloc(101));
    expect(await tool.run({ path: 'big.bin' }, ctx())).toMatchObject({
      ok: false,
      output: expect.stringMatching(/at most 100/),
    });
  });

  it('at delivery, a file swapped for a symlink out of the workspace, or changed, is not read', async () => {
    writeFileSync(join(workspace, 'report.txt'), 'hello');
    const file = { path: 'report.txt', name: 'report.txt', size: 5 };
    expect((await readSentFile(workspace, file)).toString()).toBe('hello');
    writeFileSync(join(workspace, 'report.txt'), 'hello, changed');
    await expect(readSentFile(workspace, file)).rejects.toThrow(/changed/);
    rmSync(join(workspace, 'report.txt'));
    symlinkSync(join(root, 'secret.txt'), join(workspace, 'report.txt'));
    await expect(readSentFile(workspace, file)).rejects.toThrow();
  });

  it('only the built-in send_file of the last tool round asks for a file to be sent', () => {
    const event = (seq: number, kind: TapeEvent['kind'], body: unknown): TapeEvent => ({
      runId: 'r1',
      seq,
      kind,
      at: 0,
      body,
    });
    const sendFile = { path: 'a.txt', name: 'a.txt', size: 1 };
    const tape = [
      event(0, 'input', {}),
      event(1, 'provider_request', {}),
      event(2, 'tool_output', {
        tool: 'send_file',
        ok: true,
        detail: { sendFile: { ...sendFile, name: 'old.txt' } },
      }),
      event(3, 'provider_request', {}),
      event(4, 'tool_output', { tool: 'send_file', ok: true, detail: { sendFile } }),
      event(5, 'tool_output', { tool: 'send_file', source: 'mcp:evil', ok: true, detail: { sendFile } }),
      event(6, 'tool_output', { tool: 'send_file', ok: false, detail: { sendFile } }),
      event(7, 'tool_output', { tool: 'send_file', ok: true, detail: { sendFile: { path: 1 } } }),
    ];
    expect(filesChosenSinceLastModelCall(tape)).toEqual([sendFile]);
  });
});
