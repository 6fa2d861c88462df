/** The sandboxed process runner, the isolation it runs under and the start-time decision. */
export { bwrapArgs, SANDBOX_PATH } from './bwrap-args.js';
export { decideSandbox, type SandboxDecision, type SandboxLogLine } from './decision.js';
export { killProcessTree, processStartTime, SANDBOX_MARKER_VAR, type SweepTarget } from './process-group.js';
export {
  DEFAULT_RESOURCE_LIMITS,
  type ResourceLimits,
  type RunIsolation,
  runSandboxed,
  type SandboxOptions,
  type SandboxResult,
} from './runner.js';
export { detectIsolation, type IsolationInfo, type IsolationTier, probeIsolation } from './tier.js';
