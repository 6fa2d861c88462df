/**
 * Confining file paths to the workspace folder: lexical `..` and absolute escapes are refused,
 * and so is any symlink (in the target or any parent) whose real location is outside it.
 */
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ValidationError } from '../core/errors.js';

/** How the path will be used. */
export interface ResolveOptions {
  /** When true the target may not exist yet (its deepest existing parent is checked instead). */
  forWrite: boolean;
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function outside(userPath: string, why: string): ValidationError {
  return new ValidationError(
    `path "${userPath}" ${why}; use a path relative to the workspace folder, without ".." or symlinks that leave it`,
    'path_outside_workspace',
  );
}

/**
 * The real path of `abs`, following symlinks of every existing component. For a path that does not
 * exist yet, the deepest existing ancestor is resolved and the missing tail appended. A dangling
 * symlink is refused, since writing through it would create a file wherever it points.
 */
async function realpathOfDeepestAncestor(abs: string, userPath: string): Promise<string> {
  const missing: string[] = [];
  let current = abs;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
    const link = await lstat(current).catch(() => undefined);
    if (link?.isSymbolicLink() === true)
      throw outside(userPath, 'goes through a symlink whose target does not exist');
    const parent = dirname(current);
    if (parent === current) return join(current, ...missing.reverse());
    missing.push(basename(current));
    current = parent;
  }
}

/**
 * Resolves `userPath` (relative to the workspace, or absolute inside it) to a real absolute path
 * inside the real path of `root`, or throws `ValidationError`. For reads the target must exist.
 * The returned path has no symlinks left, so callers can open it with `O_NOFOLLOW`.
 */
export async function resolveInWorkspace(
  root: string,
  userPath: string,
  options: ResolveOptions,
): Promise<string> {
  if (userPath.trim() === '')
    throw new ValidationError('path is empty; give a file path inside the workspace');
  if (userPath.includes('\0')) throw new ValidationError('path contains a NUL byte');
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw new ValidationError(
      `the workspace folder ${root} does not exist; create it or fix tools.workspace`,
    );
  }
  const lexicalRoot = resolve(root);
  const abs = isAbsolute(userPath) ? resolve(userPath) : resolve(lexicalRoot, userPath);
  if (!isInside(lexicalRoot, abs) && !isInside(realRoot, abs)) {
    throw outside(userPath, isAbsolute(userPath) ? 'is outside the workspace' : 'leaves the workspace');
  }
  let real: string;
  if (options.forWrite) {
    real = await realpathOfDeepestAncestor(abs, userPath);
  } else {
    try {
      real = await realpath(abs);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const link = await lstat(abs).catch(() => undefined);
        if (link?.isSymbolicLink() === true)
          throw outside(userPath, 'is a symlink whose target does not exist');
        throw new ValidationError(`file "${userPath}" does not exist in the workspace`, 'file_not_found');
      }
      throw err;
    }
  }
  if (!isInside(realRoot, real))
    throw outside(userPath, 'resolves through a symlink to a place outside the workspace');
  return real;
}
