/**
 * Which later calls a remembered approval covers (DESIGN.md section 9, "People and grants"): a
 * grant is bound to the arguments it was given, not to the whole tool. By default that is exactly
 * those arguments (their hash); for `shell_exec` running a simple command — words only, no shell
 * operators, quotes, substitutions or globs — it is the program: approving `echo hi` covers
 * `echo there`, never `echo hi; rm -rf ~`.
 */

import type { ArgPattern } from './types.js';

export type { ArgPattern };

/** Words a simple command may hold: no shell operator, quote, substitution, glob or escape. */
const SIMPLE_COMMAND = /^[A-Za-z0-9_./:=@%+,-]+(?: +[A-Za-z0-9_./:=@%+,-]+)*$/;

/** The program of a simple shell command, or undefined when the command is anything more. */
export function simpleProgram(command: unknown): string | undefined {
  if (typeof command !== 'string') return undefined;
  const trimmed = command.trim();
  if (!SIMPLE_COMMAND.test(trimmed)) return undefined;
  return trimmed.split(' ')[0];
}

/** The pattern a grant for this call is bound to. */
export function defaultPattern(tool: string, args: unknown, argsHash: string): ArgPattern {
  if (tool === 'shell_exec') {
    const program = simpleProgram((args as { command?: unknown } | null)?.command);
    if (program !== undefined) return { kind: 'program', program };
  }
  return { kind: 'exact', argsHash };
}

/** Whether a call of `tool` with `args` (hash `argsHash`) is covered by `pattern`. */
export function patternCovers(pattern: ArgPattern, tool: string, args: unknown, argsHash: string): boolean {
  if (pattern.kind === 'exact') return pattern.argsHash === argsHash;
  return (
    tool === 'shell_exec' &&
    simpleProgram((args as { command?: unknown } | null)?.command) === pattern.program
  );
}

/** The pattern in words, for cards and answers. */
export function describePattern(pattern: ArgPattern): string {
  return pattern.kind === 'exact'
    ? 'these exact arguments'
    : `\`${pattern.program} …\` (simple commands only)`;
}
