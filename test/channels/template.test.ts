import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The adapter template. Every folder under `channels/` is one adapter, and each has the same
 * files, each holding one idea:
 *
 * - `descriptor.ts`: the platform for the daemon before its SDK loads — name, environment
 *   variables, the `channels.<name>` config schema, secrets to redact, and a lazy build
 * - `index.ts`: only `create<Name>Channel(config, gateway)`, wiring the parts, and type re-exports
 * - `config.ts`: the config type, its defaults and the platform's limits as named constants
 * - `identity.ts`: principal, device, place, conversation and session key — the only file that
 *   builds `<name>:` strings
 * - `inbound.ts`: platform event → `InboundMessage` → `gateway.receive`
 * - `outbound.ts`: send, split, render replies
 * - `approval-card.ts`: what a card looks like (pure rendering from the core's `ApprovalCard`)
 * - `approvals.ts`: post and edit cards; a click → `gateway.decideApproval`
 * - `commands.ts`: slash commands → `gateway.command`
 * - `lifecycle.ts`: start, stop, the connection
 * - `errors.ts`: platform errors → `ChannelError`
 *
 * More files are welcome when each holds one idea (receivers, polling, files, render…). What
 * every adapter shares lives in the core and is exported by `src/index.ts`.
 */
const REQUIRED_FILES = [
  'descriptor.ts',
  'index.ts',
  'config.ts',
  'identity.ts',
  'inbound.ts',
  'outbound.ts',
  'approval-card.ts',
  'approvals.ts',
  'commands.ts',
  'lifecycle.ts',
  'errors.ts',
] as const;

const ROOT = resolve(import.meta.dirname, '../..');
const CHANNELS = join(ROOT, 'channels');
const CORE_API = join(ROOT, 'src', 'index.ts');

/** The SDK of each platform; an adapter may import its own and no other. */
const PLATFORM_SDKS: Record<string, RegExp> = {
  discord: /^(discord\.js|@discordjs\/)/,
  slack: /^@slack\//,
  telegram: /^(grammy|@grammyjs\/)/,
};

function adapterNames(): string[] {
  return readdirSync(CHANNELS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? tsFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * A source text without its comments, so that an example in a doc comment counts for nothing.
 * Line comments are recognized only where `//` does not follow a colon (URLs in strings stay).
 */
function code(file: string, text = readFileSync(file, 'utf8')): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** `discord` → `createDiscordChannel`. */
function factoryName(adapter: string): string {
  return `create${adapter.charAt(0).toUpperCase()}${adapter.slice(1)}Channel`;
}

/**
 * What is wrong with an adapter's `index.ts` (comments removed): any top-level statement besides
 * imports, type exports and the one exported `create<Name>Channel(config, gateway)`. Biome formats
 * every file, so a top-level statement is exactly a line that starts in the first column.
 */
function indexProblems(source: string, adapter: string): string[] {
  const expected = factoryName(adapter);
  const allowed = [/^import\b/, /^export type\b/, /^export interface\b/, /^[}\])]/];
  const problems: string[] = [];
  let factories = 0;
  for (const line of source.split('\n')) {
    if (line === '' || /^\s/.test(line) || allowed.some((pattern) => pattern.test(line))) continue;
    if (line.startsWith(`export function ${expected}(`)) factories++;
    else problems.push(line);
  }
  if (factories !== 1) problems.push(`exports ${expected} ${factories} times`);
  const signature = new RegExp(`export function ${expected}\\(\\s*config\\b[^,)]*,\\s*gateway\\b[^,)]*\\)`);
  if (factories === 1 && !signature.test(source)) problems.push(`${expected} takes (config, gateway)`);
  return problems;
}

/** Every module specifier of a source text: imports, re-exports, `import type`, dynamic `import()`. */
function moduleSpecifiers(source: string): string[] {
  const statics = /^[ \t]*(?:import|export)\b(?:[^'";]*?\bfrom)?\s*['"]([^'"\n]+)['"]/gm;
  const dynamics = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;
  return [...source.matchAll(statics), ...source.matchAll(dynamics)].map((match) => match[1] ?? '');
}

/**
 * Why `specifier`, imported by `file` of the adapter folder `own`, crosses the adapter boundary;
 * undefined when it may be imported. Allowed: the adapter's own files, `src/index.ts`, Node built-ins and packages other than another platform's SDK.
 */
function importProblem(file: string, own: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) {
    const platform = Object.entries(PLATFORM_SDKS).find(
      ([name, sdk]) => sdk.test(specifier) && !own.endsWith(`${sep}${name}`),
    );
    return platform ? `imports ${specifier}, the ${platform[0]} SDK` : undefined;
  }
  const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
  if (target === CORE_API) return undefined;
  if (target.startsWith(`${own}${sep}`)) return undefined;
  return `imports ${relative(ROOT, target)}`;
}

/**
 * Where a source text (comments removed) builds a `<name>:` string: a string or template literal
 * that starts with `<name>:` and no space after the colon (a log line's `telegram: …` is fine),
 * or a template that starts with `${<NAME>}:`, `<NAME>` being the adapter's name constant.
 */
function builtIdentityStrings(source: string, adapter: string): string[] {
  const literal = new RegExp(`['"\`]${adapter}:(?!\\s)[^'"\`\\n]*['"\`]?`, 'gi');
  const constant = new RegExp(`\`\\$\\{${adapter.toUpperCase()}\\}:[^\`\\n]*\`?`, 'g');
  return [...source.matchAll(literal), ...source.matchAll(constant)].map((match) => match[0]);
}

describe('the adapter template', () => {
  const adapters = adapterNames();

  it('finds the three platform adapters', () => {
    expect(adapters).toEqual(expect.arrayContaining(['discord', 'slack', 'telegram']));
  });

  describe.each(adapters)('channels/%s', (adapter) => {
    const dir = join(CHANNELS, adapter);

    it('has every file of the template', () => {
      const missing = REQUIRED_FILES.filter((file) => !existsSync(join(dir, file)));
      expect(missing, `channels/${adapter}/ lacks`).toEqual([]);
    });

    it(`index.ts holds only ${factoryName(adapter)}(config, gateway) and type exports`, () => {
      expect(indexProblems(code(join(dir, 'index.ts')), adapter)).toEqual([]);
    });

    it('imports no other adapter, nothing of src/ but src/index.ts, and no other platform SDK', () => {
      const problems = tsFiles(dir).flatMap((file) =>
        moduleSpecifiers(code(file)).flatMap((specifier) => {
          const problem = importProblem(file, dir, specifier);
          return problem ? [`${relative(ROOT, file)} ${problem}`] : [];
        }),
      );
      expect(problems).toEqual([]);
    });

    it(`builds ${adapter}: strings (principals, devices, session keys) only in identity.ts`, () => {
      const elsewhere = tsFiles(dir)
        .filter((file) => file !== join(dir, 'identity.ts'))
        .flatMap((file) =>
          builtIdentityStrings(code(file), adapter).map((hit) => `${relative(ROOT, file)}: ${hit}`),
        );
      expect(elsewhere).toEqual([]);
    });
  });
});

describe('the template checks themselves', () => {
  /** A source text in which `§{` stands for `${` (so the samples can be plain strings). */
  const sample = (text: string) => code('/sample.ts', dollars(text));
  const dollars = (text: string) => text.replaceAll('§{', '${');

  it('see every way of building a principal string, and not log lines or comments', () => {
    const source = sample(
      [
        'const a = `slack:§{team}:§{user}`;',
        "const b = 'slack:' + user;",
        'const c = `§{SLACK}:§{team}`;',
        "logger.info({}, 'slack: channel up');",
        '/** Principals look like `slack:T1:U1`. */',
        "const d = { channel: 'slack' };",
      ].join('\n'),
    );
    expect(builtIdentityStrings(source, 'slack')).toEqual([
      dollars('`slack:§{team}:§{user}`'),
      "'slack:'",
      dollars('`§{SLACK}:§{team}`'),
    ]);
  });

  it('see static, type-only, re-exported and dynamic imports', () => {
    const source = sample(
      [
        "import type { A } from './a.js';",
        "import { b } from '../../src/gateway/b.js';",
        "export { c } from '../slack/c.js';",
        "const d = () => import('grammy');",
      ].join('\n'),
    );
    expect(moduleSpecifiers(source)).toEqual(['./a.js', '../../src/gateway/b.js', '../slack/c.js', 'grammy']);
  });

  it('refuse an index.ts with a class, a constant or a second function', () => {
    const source = sample(
      [
        "import type { Channel } from '../../src/index.js';",
        "export type { DemoChannelConfig } from './config.js';",
        'export function createDemoChannel(config: unknown, gateway: unknown): Channel { return make(); }',
        'class DemoChannel {}',
        'const LIMIT = 1;',
        'function make(): Channel { return new DemoChannel() as never; }',
      ].join('\n'),
    );
    expect(indexProblems(source, 'demo')).toHaveLength(3);
  });
});
