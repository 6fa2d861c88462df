import { describe, expect, it } from 'vitest';
import { createBuiltinTools } from '../../../src/tools/builtins/index.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { decideSandbox } from '../../../src/tools/sandbox/decision.js';
import { fakeContext, makeWorkspace } from '../fake-context.js';

const options = {
  workspaceDir: '/nonexistent',
  timeoutMs: 5_000,
  maxOutputBytes: 1024,
  httpFetch: { allowPrivate: false, maxBytes: 1024, timeoutMs: 1_000 },
  sandbox: decideSandbox(
    { tier: 'bwrap', bwrapPath: '/usr/bin/bwrap', reason: 'works' },
    { allowUnisolated: false },
  ),
};

describe('createBuiltinTools', () => {
  it('creates the six built-ins with the documented read-only flags when shell tools are on', () => {
    const tools = createBuiltinTools(options);
    expect(Object.fromEntries(tools.map((t) => [t.name, t.readOnly]))).toEqual({
      current_time: true,
      file_read: true,
      file_write: false,
      shell_exec: false,
      http_fetch: false,
      send_file: true,
    });
  });

  it('leaves shell_exec out when the sandbox decision turned shell tools off', () => {
    const sandbox = decideSandbox(
      { tier: 'none', reason: 'bwrap is not installed' },
      { allowUnisolated: false },
    );
    const names = createBuiltinTools({ ...options, sandbox }).map((t) => t.name);
    expect(names).toEqual(['current_time', 'file_read', 'file_write', 'http_fetch', 'send_file']);
  });

  it('registers without clashes and gives the model JSON schemas', () => {
    const registry = new ToolRegistry();
    for (const tool of createBuiltinTools(options)) registry.register(tool);
    for (const spec of registry.specs()) {
      expect(spec.parameters).toMatchObject({ type: 'object', additionalProperties: false });
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it('logs each call without its arguments', async () => {
    const { workspace, cleanup } = await makeWorkspace();
    try {
      const lines: Array<[object, string]> = [];
      const tools = createBuiltinTools({
        ...options,
        workspaceDir: workspace,
        log: (o, m) => lines.push([o, m]),
      });
      const write = tools.find((t) => t.name === 'file_write')!;
      await write.run({ path: 'a.txt', content: 'secret-ish content' }, fakeContext(workspace));
      await expect(write.run({ path: '../x', content: 'y' }, fakeContext(workspace))).rejects.toThrow();
      expect(lines.map(([, m]) => m)).toEqual(['tool call finished', 'tool call failed']);
      expect(lines[1]?.[0]).toMatchObject({ tool: 'file_write', ok: false, error: 'path_outside_workspace' });
      expect(JSON.stringify(lines)).not.toContain('secret-ish');
    } finally {
      await cleanup();
    }
  });

  it('file_write creates a missing workspace folder', async () => {
    const { workspace, cleanup } = await makeWorkspace();
    try {
      const fresh = `${workspace}/not-yet`;
      const write = createBuiltinTools({ ...options, workspaceDir: fresh }).find(
        (t) => t.name === 'file_write',
      )!;
      await expect(write.run({ path: 'a.txt', content: 'x' }, fakeContext(fresh))).resolves.toMatchObject({
        ok: true,
      });
    } finally {
      await cleanup();
    }
  });
});
