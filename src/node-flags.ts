/**
 * The V8 flags the daemon runs with; `npm start`, `npm run bench`, the Dockerfile, `switchboard
 * start` and the test harness pass them on the command line (V8 does not support changing them
 * after start).
 *
 * - `--no-turbo-inline-js-wasm-calls`: Node 20's V8 aborted the process ("Fatal error: unreachable
 *   code" in `Deoptimizer::DoComputeBuiltinContinuation`) after optimized code that had inlined
 *   calls into Cedar's WebAssembly deoptimized; reproduced by `npm run bench`, gone with this flag.
 * - `--liftoff-only`: Cedar's WebAssembly stays on V8's baseline compiler. Tiering it up at start
 *   cost ~700 ms and ~50 MB of resident memory that is never returned; decisions get slower but
 *   are rare per turn (answers are memoized per policy set).
 * - `--max-semi-space-size=8`: V8's young generation grows to 2 × 16 MB under the turn loop's
 *   allocation rate and stays resident; at 2 × 8 MB the bench's peak RSS with 1,000 active
 *   sessions was ~10 MB lower at the same CPU per turn.
 */
export const NODE_FLAGS: readonly string[] = [
  '--no-turbo-inline-js-wasm-calls',
  '--liftoff-only',
  '--max-semi-space-size=8',
];
