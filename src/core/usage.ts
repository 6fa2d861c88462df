import type { UsageTotals } from './types.js';

/** Adds `more` into `into` (every count), and returns `into`. */
export function addUsage<T extends UsageTotals>(into: T, more: UsageTotals): T {
  into.promptTokens += more.promptTokens;
  into.completionTokens += more.completionTokens;
  into.totalTokens += more.totalTokens;
  into.runs += more.runs;
  into.toolExecutions += more.toolExecutions;
  into.toolMs += more.toolMs;
  return into;
}
