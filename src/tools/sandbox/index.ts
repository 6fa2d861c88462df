/** The sandboxed process runner and the isolation tier it runs under. */
export { killProcessTree, processStartTime, SANDBOX_MARKER_VAR, type SweepTarget } from './process-group.js';
export {
  DEFAULT_RESOURCE_LIMITS,
  type ResourceLimits,
  runSandboxed,
  type SandboxOptions,
  type SandboxResult,
} from './runner.js';
export { detectIsolation, detectIsolationTier, type IsolationInfo, type IsolationTier } from './tier.js';
