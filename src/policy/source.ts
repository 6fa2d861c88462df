import type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';

/** A text file as read from disk, kept for mapping Cedar's source offsets back to lines. */
export interface SourceFile {
  /** The path as given (relative paths stay relative, so messages match what the operator typed). */
  path: string;
  text: string;
}

/** A 1-based line and column in a source file. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * Maps a Cedar source offset to a line and column. Cedar reports UTF-8 byte offsets, so the text is
 * measured in bytes, not UTF-16 code units.
 */
export function lineColumnAt(text: string, byteOffset: number): LineColumn {
  const bytes = Buffer.from(text, 'utf8');
  const before = bytes.subarray(0, Math.max(0, Math.min(byteOffset, bytes.length))).toString('utf8');
  const lastNewline = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line += 1;
  return { line, column: before.length - lastNewline };
}

/**
 * Formats one Cedar error as `file:line:column: message (help)`, the way compilers do, so an
 * operator can jump to it. Errors without a location name the file only.
 */
export function formatCedarError(file: SourceFile, error: DetailedError): string {
  const location = error.sourceLocations?.[0];
  const where =
    location === undefined
      ? file.path
      : (() => {
          const { line, column } = lineColumnAt(file.text, location.start);
          return `${file.path}:${line}:${column}`;
        })();
  const related = (error.related ?? []).map((r) => r.message).filter((m) => m !== error.message);
  const help = error.help === null ? '' : ` (${error.help})`;
  const more = related.length === 0 ? '' : `: ${related.join('; ')}`;
  return `${where}: ${error.message}${more}${help}`;
}
