/**
 * The curated surface of the core for channel adapters (`channels/*`). Adapters import from here
 * and nowhere else in `src/`.
 */

export { ARGS_PREVIEW_CHARS } from './core/approval-card.js';
export type { MarkdownDialect } from './core/markdown.js';
export { renderMarkdown } from './core/markdown-chunks.js';
export { neutralizeMentions } from './core/mentions.js';
export { SESSION_SCOPES, type SessionScope } from './core/session-scope.js';
export { ShownTexts } from './core/shown-texts.js';
export { splitMessage } from './core/split-message.js';
export type {
  ApprovalCard,
  ApprovalState,
  Attachment,
  ConversationRef,
  DeliveryReceipt,
  InboundMessage,
  OutboundFile,
  OutboundMessage,
  Principal,
} from './core/types.js';
export { readCappedBody } from './gateway/read-capped.js';
export {
  APPROVAL_VERBS,
  type ApprovalVerb,
  decisionRequestOf,
  isApprovalVerb,
} from './ports/approval-verbs.js';
export type {
  Channel,
  ChannelErrorKind,
  ChannelLogger,
  FetchedFile,
  WebhookRequest,
  WebhookResponse,
} from './ports/channel.js';
export { ChannelError } from './ports/channel.js';
export type {
  ChannelBuildInput,
  ChannelBuildResult,
  ChannelDescriptor,
  ChannelEnvVar,
} from './ports/channel-descriptor.js';
export type {
  CommandRequest,
  CommandResponse,
  DecisionOutcome,
  DecisionRequest,
  GatewayPort,
  ReceiveResult,
} from './ports/gateway.js';
