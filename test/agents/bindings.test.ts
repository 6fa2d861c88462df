import { describe, expect, it } from 'vitest';
import { bindAgent } from '../../src/agents/bindings.js';
import { buildAgents } from '../../src/agents/directory.js';
import { parseConfig } from '../../src/config/load.js';
import { selectProvider } from '../../src/providers/select.js';

const slackEng = { platform: 'slack', workspace: 'T1', channel: 'C0ENG' };
const slackDm = { platform: 'slack', workspace: 'T1', channel: 'D42' };
const telegram = { platform: 'telegram', channel: '99' };

describe('bindings: which agent a new session gets', () => {
  const bindings = parseConfig({
    agents: { default: {}, coder: {}, support: {} },
    bindings: [
      { match: { principal: 'slack:T1:UBOSS' }, agent: 'support' },
      { match: { channel: 'slack', conversation: 'C0ENG' }, agent: 'coder' },
      { match: { principal: 'telegram:*' }, agent: 'support' },
    ],
  }).bindings;

  it('the first binding that fits wins: a principal binding listed first beats the channel one', () => {
    expect(bindAgent(bindings, slackEng, 'slack:T1:UDEV')).toBe('coder');
    expect(bindAgent(bindings, slackEng, 'slack:T1:UBOSS')).toBe('support');
  });

  it('every given field must fit; a principal prefix ending in * matches the platform', () => {
    expect(bindAgent(bindings, slackDm, 'slack:T1:UDEV')).toBe('default');
    expect(bindAgent(bindings, telegram, 'telegram:7')).toBe('support');
    expect(bindAgent(bindings, { platform: 'slack', workspace: 'T2', channel: 'C0ENG' }, 'slack:T2:U1')).toBe(
      'coder',
    );
    const team = parseConfig({
      agents: { default: {}, coder: {} },
      bindings: [{ match: { channel: 'slack', workspace: 'T1' }, agent: 'coder' }],
    }).bindings;
    expect(bindAgent(team, { platform: 'slack', workspace: 'T2', channel: 'C0ENG' }, 'slack:T2:U1')).toBe(
      'default',
    );
  });

  it('no binding: the fallback agent', () => {
    expect(bindAgent([], slackEng, 'slack:T1:U1', 'main')).toBe('main');
  });
});

describe('buildAgents', () => {
  const base = { ...selectProvider({ timeoutMs: 1000, maxRetries: 0 }) };

  it('gives each agent its own model; agents naming the same model share one provider', () => {
    const config = parseConfig({
      agents: {
        default: {},
        coder: { model: { name: 'big-model', base_url: 'http://127.0.0.1:1/v1' } },
        reviewer: { model: { name: 'big-model', base_url: 'http://127.0.0.1:1/v1' } },
        cheap: {
          model: { name: 'small-model', base_url: 'http://127.0.0.1:2/v1', api_key_env: 'CHEAP_KEY' },
        },
      },
    });
    const agents = buildAgents(config, { env: { CHEAP_KEY: 'sk-cheap' }, base });
    expect(agents.defaultName).toBe('default');
    expect(agents.get('default').offline).toBe(true);
    expect(agents.get('coder').provider.model).toBe('big-model');
    expect(agents.get('coder').provider).toBe(agents.get('reviewer').provider);
    expect(agents.get('cheap').provider.model).toBe('small-model');
    expect(agents.get('cheap').providerDescription).not.toContain('sk-cheap');
    // A session from before agents (null) or of an agent since removed: the default agent.
    expect(agents.get(null).name).toBe('default');
    expect(agents.get('gone').name).toBe('default');
  });

  it('refuses a binding or a schedule naming an agent that does not exist, and an unset key variable', () => {
    const unknownBinding = parseConfig({
      agents: { default: {} },
      bindings: [{ match: {}, agent: 'coder' }],
    });
    expect(() => buildAgents(unknownBinding, { env: {}, base })).toThrow(
      /bindings\[0\]\.agent: no agent "coder"/,
    );
    const unknownSchedule = parseConfig({
      agents: { default: {} },
      schedules: {
        daily: { cron: '0 9 * * *', prompt: 'hi', channel: 'slack', conversation: 'C1', agent: 'x' },
      },
    });
    expect(() => buildAgents(unknownSchedule, { env: {}, base })).toThrow(
      /schedules\.daily\.agent: no agent "x"/,
    );
    const noKey = parseConfig({ agents: { default: { model: { name: 'm', api_key_env: 'MISSING_KEY' } } } });
    expect(() => buildAgents(noKey, { env: {}, base })).toThrow(/MISSING_KEY is not set/);
  });

  it('takes the first agent as the default when there is no "default"', () => {
    const agents = buildAgents(parseConfig({ agents: { main: {}, other: {} } }), { env: {}, base });
    expect(agents.defaultName).toBe('main');
  });
});
