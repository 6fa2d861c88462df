import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import type { Tool } from '../../src/tools/tool.js';

function tool(name: string): Tool {
  return {
    name,
    description: `the ${name} tool`,
    parameters: { type: 'object', properties: {} },
    readOnly: true,
    run: async () => ({ ok: true, output: name }),
  };
}

describe('ToolRegistry', () => {
  it('registering a name twice throws', () => {
    const registry = new ToolRegistry().register(tool('current_time'));
    expect(() => registry.register(tool('current_time'))).toThrow(ValidationError);
    expect(() => registry.register(tool('current_time'))).toThrow(/already registered/);
  });

  it('refuses a name the model APIs would reject', () => {
    expect(() => new ToolRegistry().register(tool('has space'))).toThrow(/invalid/);
    expect(() => new ToolRegistry().register(tool('x'.repeat(65)))).toThrow(/invalid/);
  });

  it('finds tools by name and lists them in registration order', () => {
    const registry = new ToolRegistry().register(tool('b')).register(tool('a'));
    expect(registry.get('a')?.name).toBe('a');
    expect(registry.get('missing')).toBeUndefined();
    expect(registry.has('b')).toBe(true);
    expect(registry.list().map((t) => t.name)).toEqual(['b', 'a']);
  });

  it('gives the model name, description and parameters, for all or for chosen names in order', () => {
    const registry = new ToolRegistry().register(tool('a')).register(tool('b')).register(tool('c'));
    expect(registry.specs()).toHaveLength(3);
    expect(registry.specs(['c', 'a'])).toEqual([
      { name: 'c', description: 'the c tool', parameters: { type: 'object', properties: {} } },
      { name: 'a', description: 'the a tool', parameters: { type: 'object', properties: {} } },
    ]);
  });

  it('skips names that are not registered', () => {
    const registry = new ToolRegistry().register(tool('a'));
    expect(registry.specs(['memory_save', 'a']).map((s) => s.name)).toEqual(['a']);
  });
});
