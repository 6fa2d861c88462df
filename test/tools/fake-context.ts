/** A ToolContext and a throwaway workspace for tool tests. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolContext } from '../../src/tools/tool.js';

/** A context for a made-up run in `workspaceDir`. */
export function fakeContext(
  workspaceDir: string,
  signal: AbortSignal = new AbortController().signal,
): ToolContext {
  return { runId: 'run-test', sessionId: 'session-test', principal: 'User::"alice"', workspaceDir, signal };
}

/** A fresh folder holding `workspace/` (returned, real path) so tests can put things next to it. */
export async function makeWorkspace(): Promise<{
  base: string;
  workspace: string;
  cleanup: () => Promise<void>;
}> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'switchboard-tools-')));
  const workspace = join(base, 'workspace');
  await mkdir(workspace);
  return { base, workspace, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/**
 * A host folder laid out like a deployment — `workspace/`, a sibling `data/admin-token` and a
 * `host-only.txt` next to the workspace — outside `/tmp`, so the sandbox's own fresh `/tmp` cannot
 * hide it by accident: whatever the sandbox shows of it, it shows because of its mounts.
 */
export async function makeHostFolder(): Promise<{
  base: string;
  workspace: string;
  adminToken: string;
  cleanup: () => Promise<void>;
}> {
  const parent = existsSync('/var/tmp') ? '/var/tmp' : homedir();
  const base = await realpath(await mkdtemp(join(parent, 'switchboard-host-')));
  const workspace = join(base, 'workspace');
  await mkdir(workspace);
  await mkdir(join(base, 'data'));
  const adminToken = join(base, 'data', 'admin-token');
  await writeFile(adminToken, 'admin-token-secret-7f3a\n', { mode: 0o600 });
  await writeFile(join(base, 'host-only.txt'), 'next to the workspace\n');
  return { base, workspace, adminToken, cleanup: () => rm(base, { recursive: true, force: true }) };
}
