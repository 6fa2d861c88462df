/** A ToolContext and a throwaway workspace for tool tests. */
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
