import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  checkParseSchema,
  type DetailedError,
  policySetTextToParts,
  policyToJson,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
import { formatCedarError, lineColumnAt, type SourceFile } from './source.js';

/** Where the policies live: a folder of `*.cedar` files and the schema they are validated against. */
export interface PolicySources {
  /** Folder whose `*.cedar` files (not sub-folders) make up the policy set. */
  dir: string;
  /** Path of the `.cedarschema` file. */
  schemaPath: string;
  /**
   * Policies held elsewhere than in files (generated grants, `policy/grants.ts`), validated like
   * a file each and after the files; `path` names one in errors (`grant:<id>`).
   */
  extra?: readonly SourceFile[];
}

/** A validated policy set, ready to be preparsed. */
export interface CompiledPolicies {
  /** The schema text (Cedar syntax). */
  schemaText: string;
  /** Policy id → the policy's text. The id is its `@id("…")` annotation, else `file.cedar:line`. */
  policies: Record<string, string>;
  /** The policy ids in file order. */
  ids: string[];
  /** The `.cedar` files read, in the order they were read. */
  files: string[];
  /** Validator warnings (e.g. a policy that can never apply), formatted like errors. */
  warnings: string[];
}

/** The outcome of compiling: the set, or every problem found, each naming file, line and reason. */
export type CompileResult = { ok: true; compiled: CompiledPolicies } | { ok: false; errors: string[] };

function readSource(path: string, what: string, errors: string[]): SourceFile | undefined {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    errors.push(`${path}: cannot read the ${what}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function listPolicyFiles(dir: string, errors: string[]): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.cedar'))
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch (err) {
    errors.push(`${dir}: cannot read the policy folder: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
}

function formatAll(file: SourceFile, list: readonly DetailedError[]): string[] {
  return list.map((error) => formatCedarError(file, error));
}

const ID_ANNOTATION = /@id\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)/;
const EFFECT = /\b(?:permit|forbid)\s*\(/;

/**
 * The `@id("…")` annotation of one policy's text. Read with a pattern rather than Cedar's
 * `policyToJson`, which costs milliseconds per policy at every start; the text was already parsed
 * and validated by Cedar, so the annotation is well-formed. Falls back to Cedar for escapes.
 */
function annotatedId(text: string): string | undefined {
  const effect = EFFECT.exec(text);
  const match = ID_ANNOTATION.exec(effect ? text.slice(0, effect.index) : text);
  if (!match) return undefined;
  const raw = match[1]!;
  if (!raw.includes('\\')) return raw;
  const json = policyToJson(text);
  return json.type === 'success' ? json.json.annotations?.id : raw;
}

/** Finds where each policy text starts in its file; identical policies are matched in order. */
function lineOf(file: SourceFile, policyText: string, used: Set<number>): number | undefined {
  for (let at = file.text.indexOf(policyText); at !== -1; at = file.text.indexOf(policyText, at + 1)) {
    if (!used.has(at)) {
      used.add(at);
      return lineColumnAt(file.text, Buffer.byteLength(file.text.slice(0, at), 'utf8')).line;
    }
  }
  return undefined;
}

/** Validates one file in strict mode; returns its policies keyed by id, or pushes errors. */
function compileFile(
  file: SourceFile,
  schemaText: string,
  errors: string[],
  warnings: string[],
): Array<{ id: string; text: string; line: number | undefined }> {
  const answer = validate({
    schema: schemaText,
    policies: { staticPolicies: file.text },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') {
    errors.push(...formatAll(file, answer.errors));
    return [];
  }
  errors.push(
    ...formatAll(
      file,
      answer.validationErrors.map((e) => e.error),
    ),
  );
  warnings.push(
    ...formatAll(file, [...answer.validationWarnings.map((w) => w.error), ...answer.otherWarnings]),
  );
  const parts = policySetTextToParts(file.text);
  if (parts.type === 'failure') {
    errors.push(...formatAll(file, parts.errors));
    return [];
  }
  if (parts.policy_templates.length > 0) {
    errors.push(
      `${file.path}: policy templates (?principal / ?resource slots) are not supported; write static policies`,
    );
  }
  const used = new Set<number>();
  const out: Array<{ id: string; text: string; line: number | undefined }> = [];
  for (const [index, text] of parts.policies.entries()) {
    const line = lineOf(file, text, used);
    const annotated = annotatedId(text);
    const id = annotated ?? `${basename(file.path)}:${line ?? `#${index}`}`;
    out.push({ id, text, line });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** The schema and policy files as read from disk once, to compile again without reading. */
export interface ReadPolicies {
  schema: SourceFile;
  /** The `*.cedar` files of the folder, sorted by path. */
  files: SourceFile[];
}

/** Reads the schema and every `*.cedar` file of `sources.dir`; every problem is collected. */
export function readPolicies(
  sources: PolicySources,
): { ok: true; read: ReadPolicies } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const schema = readSource(sources.schemaPath, 'Cedar schema', errors);
  const paths = listPolicyFiles(sources.dir, errors);
  const files: SourceFile[] = [];
  for (const path of paths) {
    const file = readSource(path, 'policy file', errors);
    if (file) files.push(file);
  }
  if (schema === undefined || errors.length > 0) return { ok: false, errors };
  return { ok: true, read: { schema, files } };
}

/**
 * Reads the schema and every `*.cedar` file of `dir`, validates them in strict mode and gives each
 * policy its id. Collects every problem instead of stopping at the first, so one `policy check`
 * shows them all.
 */
export function compilePolicies(sources: PolicySources): CompileResult {
  const read = readPolicies(sources);
  if (!read.ok) return read;
  return compileRead(read.read, sources.extra ?? []);
}

/**
 * Validates policies already read (`readPolicies`) together with `extra` (generated grants, each
 * validated like a file, after the files), without touching the disk: a grant made or revoked
 * while an operator is half-way through editing a policy file still takes effect.
 */
export function compileRead(read: ReadPolicies, extra: readonly SourceFile[]): CompileResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { schema } = read;
  const paths = read.files.map((f) => f.path);
  const parsedSchema = checkParseSchema(schema.text);
  if (parsedSchema.type === 'failure') {
    errors.push(...formatAll(schema, parsedSchema.errors));
    return { ok: false, errors };
  }
  const policies: Record<string, string> = {};
  const ids: string[] = [];
  const origin = new Map<string, string>();
  for (const file of [...read.files, ...extra]) {
    for (const policy of compileFile(file, schema.text, errors, warnings)) {
      const where = `${file.path}:${policy.line ?? '?'}`;
      const first = origin.get(policy.id);
      if (first !== undefined) {
        errors.push(
          `${where}: duplicate policy id "${policy.id}" (first used at ${first}); give each policy its own @id`,
        );
        continue;
      }
      origin.set(policy.id, where);
      policies[policy.id] = policy.text;
      ids.push(policy.id);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, compiled: { schemaText: schema.text, policies, ids, files: paths, warnings } };
}
