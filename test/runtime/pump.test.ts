import { afterEach, describe, expect, it } from 'vitest';
import { Pump, type PumpOptions } from '../../src/runtime/pump.js';

/** A pass the test finishes by hand, counting how many ran and how many ran at once. */
class ScriptedPasses {
  started = 0;
  finished = 0;
  concurrent = 0;
  maxConcurrent = 0;
  private release: Array<() => void> = [];

  readonly pass = async (): Promise<void> => {
    this.started++;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    await new Promise<void>((resolve) => this.release.push(resolve));
    this.concurrent--;
    this.finished++;
  };

  /** Lets the oldest waiting pass finish. */
  finishOne(): void {
    this.release.shift()?.();
  }

  get waiting(): number {
    return this.release.length;
  }
}

const poll = { timeout: 2000, interval: 5 };
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

describe('Pump', () => {
  const pumps: Pump[] = [];
  afterEach(async () => {
    for (const pump of pumps.splice(0)) {
      void pump.stop();
    }
  });

  function pump(options: Partial<PumpOptions> & Pick<PumpOptions, 'pass'>): Pump {
    const made = new Pump({ intervalMs: 60_000, onError: () => {}, ...options });
    pumps.push(made);
    return made;
  }

  it('runs a first pass on start, and nothing before it', async () => {
    const passes = new ScriptedPasses();
    const p = pump({ pass: passes.pass });
    p.kick();
    await settle();
    expect(passes.started).toBe(0);
    p.start();
    await expect.poll(() => passes.started, poll).toBe(1);
  });

  it('coalesces kicks of the same moment into one pass', async () => {
    const passes = new ScriptedPasses();
    const p = pump({ pass: passes.pass });
    p.start();
    p.kick();
    p.kick();
    await expect.poll(() => passes.started, poll).toBe(1);
    passes.finishOne();
    await settle();
    expect(passes.started).toBe(1);
  });

  it('runs one pass at a time, and exactly one more for any number of kicks during a pass', async () => {
    const passes = new ScriptedPasses();
    const p = pump({ pass: passes.pass });
    p.start();
    await expect.poll(() => passes.waiting, poll).toBe(1);
    p.kick();
    p.kick();
    p.kick();
    await settle();
    expect(passes.started).toBe(1);
    passes.finishOne();
    await expect.poll(() => passes.started, poll).toBe(2);
    passes.finishOne();
    await settle();
    expect(passes.started).toBe(2);
    expect(passes.maxConcurrent).toBe(1);
  });

  it('passes again at the backstop interval, after its interval work', async () => {
    const order: string[] = [];
    const p = pump({
      intervalMs: 15,
      pass: async () => {
        order.push('pass');
      },
      onInterval: async () => {
        order.push('interval');
      },
    });
    p.start();
    await expect.poll(() => order.filter((o) => o === 'pass').length, poll).toBeGreaterThanOrEqual(3);
    expect(order[0]).toBe('pass');
    expect(order[1]).toBe('interval');
    expect(order[2]).toBe('pass');
  });

  it('stop() waits for the pass in flight, and kicks after it do nothing', async () => {
    const passes = new ScriptedPasses();
    const p = pump({ pass: passes.pass });
    p.start();
    await expect.poll(() => passes.waiting, poll).toBe(1);
    p.kick();
    let stopped = false;
    const stopping = p.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    passes.finishOne();
    await stopping;
    expect(passes.finished).toBe(1);
    p.kick();
    await settle();
    // The kick during the pass is dropped too: a stopped pump starts nothing.
    expect(passes.started).toBe(1);
    expect(p.isStopped).toBe(true);
  });

  it('keeps pumping after a pass or the interval work throws, and says so', async () => {
    const errors: string[] = [];
    let calls = 0;
    const p = pump({
      intervalMs: 15,
      pass: async () => {
        calls++;
        if (calls === 1) throw new Error('pass broke');
      },
      onInterval: async () => {
        throw new Error('interval broke');
      },
      onError: (error, where) => errors.push(`${where}: ${(error as Error).message}`),
    });
    p.start();
    await expect.poll(() => calls, poll).toBeGreaterThanOrEqual(2);
    expect(errors).toContain('pass: pass broke');
    expect(errors).toContain('interval: interval broke');
  });
});
