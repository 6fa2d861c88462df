/** Tools: the contract, the registry, the built-ins and the sandbox they run shell commands in. */
export { type BuiltinToolsOptions, createBuiltinTools } from './builtins/index.js';
export { buildDaemonTools, type DaemonTools, type DaemonToolsOptions } from './daemon-tools.js';
export { nonPublicReason } from './ip-ranges.js';
export { ToolRegistry, type ToolSpec } from './registry.js';
export {
  decideSandbox,
  detectIsolation,
  type IsolationInfo,
  type IsolationTier,
  type RunIsolation,
  runSandboxed,
  type SandboxDecision,
  type SandboxOptions,
  type SandboxResult,
} from './sandbox/index.js';
export type { Tool, ToolContext, ToolResult } from './tool.js';
export { resolveInWorkspace } from './workspace.js';
export { assertWorkspacePlacement, type GuardedPaths, resolveWorkspaceDir } from './workspace-placement.js';
