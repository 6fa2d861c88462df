/**
 * Whether tools that spawn processes may exist at all (DESIGN.md §9, "Tools run contained or not
 * at all"): under a working bubblewrap yes; without one, no — unless the operator opted in with
 * `tools.sandbox.allow_unisolated: true`, which runs them in a bare process group and says so.
 */
import type { RunIsolation } from './runner.js';
import type { IsolationInfo } from './tier.js';

/** The start log line of the decision: its level and text. */
export interface SandboxLogLine {
  level: 'info' | 'warn';
  message: string;
}

/** Shell tools on or off, how they run when on, and what the start log and `/status` say. */
export type SandboxDecision = {
  /** One line for `/status`, e.g. "Sandbox: bubblewrap (/usr/bin/bwrap)". */
  summary: string;
  log: SandboxLogLine;
} & (
  | { shell: 'on'; isolation: RunIsolation }
  | { shell: 'off' /** Why, with how to fix it. */; reason: string }
);

/** Decides once at start, from what detection found and the operator's opt-in. */
export function decideSandbox(found: IsolationInfo, options: { allowUnisolated: boolean }): SandboxDecision {
  if (found.tier === 'bwrap') {
    return {
      shell: 'on',
      isolation: { tier: 'bwrap', bwrapPath: found.bwrapPath },
      summary: `Sandbox: bubblewrap (${found.bwrapPath})`,
      log: {
        level: 'info',
        message: `tool sandbox: bubblewrap (${found.reason}); shell_exec runs contained`,
      },
    };
  }
  if (options.allowUnisolated) {
    return {
      shell: 'on',
      isolation: { tier: 'process-group' },
      summary: 'Sandbox: UNISOLATED process group (tools.sandbox.allow_unisolated)',
      log: {
        level: 'warn',
        message: `tool sandbox: UNISOLATED — shell_exec runs as this daemon's user with no isolation, able to read and write everything that user can (tools.sandbox.allow_unisolated is true; ${found.reason}). Install a working bubblewrap and remove allow_unisolated.`,
      },
    };
  }
  const reason = `${found.reason}, or set tools.sandbox.allow_unisolated: true to run it uncontained`;
  return {
    shell: 'off',
    reason,
    summary: `Sandbox: none — shell_exec is off (${found.reason})`,
    log: { level: 'warn', message: `shell_exec is off: ${reason}` },
  };
}
