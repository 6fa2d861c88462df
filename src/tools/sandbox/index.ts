/** The sandboxed process runner and the isolation tier it runs under. */
export { killProcessTree, SANDBOX_MARKER_VAR } from './process-group.js';
export {
  DEFAULT_RESOURCE_LIMITS,
  type ResourceLimits,
  runSandboxed,
  type SandboxOptions,
  type SandboxResult,
} from './runner.js';
export { detectIsolation, detectIsolationTier, type IsolationInfo, type IsolationTier } from './tier.js';
