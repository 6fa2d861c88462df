/**
 * The curated surface of the core for channel adapters (`channels/*`). Adapters import from here
 * and nowhere else in `src/`.
 */

export type { SessionScope } from './core/session-scope.js';
export { splitMessage } from './core/split-message.js';
export type {
  ApprovalCard,
  ApprovalState,
  Attachment,
  ConversationRef,
  DeliveryReceipt,
  InboundMessage,
  OutboundMessage,
  Principal,
} from './core/types.js';
export type {
  Channel,
  ChannelErrorKind,
  ChannelLogger,
  CommandRequest,
  CommandResponse,
  DecisionOutcome,
  DecisionRequest,
  FetchedFile,
  GatewayPort,
  ReceiveResult,
  WebhookRequest,
  WebhookResponse,
} from './gateway/port.js';
export { ChannelError } from './gateway/port.js';
export { readCappedBody } from './gateway/read-capped.js';
