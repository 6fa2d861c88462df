import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolCallQuery } from '../../src/policy/engine.js';

/** The repository's schema. */
export const SCHEMA_PATH = 'config/schema.cedarschema';
/** The repository's default policy folder. */
export const DEFAULT_POLICY_DIR = 'config/policies';

/** A temporary policy folder with a copy of the real schema; `files` are name → Cedar text. */
export interface PolicyFixture {
  dir: string;
  schemaPath: string;
  write(name: string, text: string): void;
  remove(): void;
}

/** Creates a policy fixture in a fresh temporary folder. */
export function policyFixture(files: Record<string, string> = {}): PolicyFixture {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-policy-'));
  const schemaPath = join(root, 'schema.cedarschema');
  copyFileSync(SCHEMA_PATH, schemaPath);
  const fixture: PolicyFixture = {
    dir: root,
    schemaPath,
    write: (name, text) => writeFileSync(join(root, name), text),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  for (const [name, text] of Object.entries(files)) fixture.write(name, text);
  return fixture;
}

/** A tool call query with harmless defaults. */
export function toolCall(principal: string, tool: string, readOnly: boolean): ToolCallQuery {
  return {
    principal,
    tool,
    readOnly,
    argsHash: 'sha256:0',
    sessionId: '01J0000000000000000000000',
    conversation: { platform: principal.split(':')[0] ?? 'console', channel: 'c1' },
  };
}
