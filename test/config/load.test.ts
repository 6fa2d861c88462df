import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseChannelSettings } from '../../src/app/channels.js';
import { parseDuration } from '../../src/config/duration.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

const write = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-config-')), 'switchboard.yaml');
  writeFileSync(path, text);
  return path;
};

/** Dotted paths of every leaf value (arrays count as leaves). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    leafPaths(v, prefix ? `${prefix}.${k}` : k),
  );
}

describe('configuration', () => {
  it('the shipped config/switchboard.yaml is valid, equals the built-in defaults and writes every one', () => {
    const shipped = loadConfig({ SWITCHBOARD_CONFIG: 'config/switchboard.yaml' }).config;
    const defaults = parseConfig({});
    const { channels: shippedChannels, ...shippedRest } = shipped;
    const { channels: defaultChannels, ...defaultRest } = defaults;
    expect(shippedRest).toEqual(defaultRest);
    // Each platform's section is its descriptor's: the shipped one parses to the descriptor defaults.
    const platformDefaults = Object.fromEntries(parseChannelSettings(defaultChannels, 'defaults'));
    expect(Object.fromEntries(parseChannelSettings(shippedChannels, 'shipped'))).toEqual(platformDefaults);
    const everyDefault = { ...defaults, channels: { ...defaultChannels, ...platformDefaults } };
    const raw = parse(readFileSync('config/switchboard.yaml', 'utf8')) as unknown;
    expect(leafPaths(raw)).toEqual(expect.arrayContaining(leafPaths(everyDefault)));
  });

  it("a platform's settings are checked by its descriptor, naming the key", () => {
    const { config } = loadConfig({
      SWITCHBOARD_CONFIG: write('channels:\n  slack:\n    session_scope: forever\n'),
    });
    expect(() => parseChannelSettings(config.channels, 'sb.yaml')).toThrow(
      /sb\.yaml: channels\.slack\.session_scope/,
    );
    const typo = loadConfig({
      SWITCHBOARD_CONFIG: write('channels:\n  discrod:\n    session_scope: user\n'),
    });
    expect(() => parseChannelSettings(typo.config.channels, 'sb.yaml')).toThrow(
      /unknown key channels\.discrod/,
    );
    const extra = loadConfig({ SWITCHBOARD_CONFIG: write('channels:\n  telegram:\n    scope: user\n') });
    expect(() => parseChannelSettings(extra.config.channels, 'sb.yaml')).toThrow(
      /unknown key channels\.telegram\.scope/,
    );
  });

  it('a missing default file means all defaults', () => {
    const { config } = loadConfig({ SWITCHBOARD_CONFIG: '', SWITCHBOARD_DATA_DIR: '/tmp/x' });
    expect(config.http.port).toBe(7420);
  });

  it('an unknown key stops the start with its path', () => {
    const path = write('limits:\n  max_concurent_runs: 3\n');
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: path })).toThrow(/unknown key limits\.max_concurent_runs/);
  });

  it('a wrong type names the key and the reason', () => {
    const path = write('http:\n  port: eighty\n');
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: path })).toThrow(ConfigError);
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: path })).toThrow(/http\.port/);
  });

  it('invalid YAML names the file and line', () => {
    const path = write('groups:\n  admins: [unclosed\n');
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: path })).toThrow(new RegExp(`${path}:\\d+: invalid YAML`));
  });

  it('an unreadable file named by SWITCHBOARD_CONFIG stops the start', () => {
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '/nonexistent/switchboard.yaml' })).toThrow(
      /cannot read config file/,
    );
  });

  it('environment overrides the HTTP bind and the model', () => {
    const { config, env } = loadConfig({
      SWITCHBOARD_CONFIG: '',
      SWITCHBOARD_HTTP_HOST: '0.0.0.0',
      SWITCHBOARD_HTTP_PORT: '8080',
      SWITCHBOARD_MODEL: 'llama3',
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      OPENAI_API_KEY: 'sk-secret',
    });
    expect(config.http).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(config.provider).toMatchObject({ model: 'llama3', base_url: 'http://localhost:11434/v1' });
    expect(env.openai.apiKey).toBe('sk-secret');
    expect(JSON.stringify(config)).not.toContain('sk-secret');
  });

  it('a bad port in the environment is refused', () => {
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', SWITCHBOARD_HTTP_PORT: '99999' })).toThrow(
      /SWITCHBOARD_HTTP_PORT/,
    );
  });

  it('durations and sizes are written the human way', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    expect(parseConfig({ http: { max_body: '2mb' } }).http.max_body).toBe(2 * 1024 * 1024);
    expect(() => parseConfig({ approvals: { timeout: 'forever' } })).toThrow(/approvals\.timeout/);
  });
});
