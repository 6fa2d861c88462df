import type {
  ApprovalPayload,
  FilePayload,
  OutboxContent,
  OutboxKind,
  TextPayload,
} from '../../core/types.js';

/**
 * The content of a stored outbox row, checked once where rows are read so nothing downstream
 * casts: `{ text }` for a reply or notice, `{ approvalId, allowSessionScope }` for a card or its
 * update, `{ path, name, size }` for a file. Throws, naming the row, for a kind or payload this daemon never writes.
 */
export function parseOutboxContent(rowId: string, kind: OutboxKind, payload: unknown): OutboxContent {
  switch (kind) {
    case 'reply':
    case 'notice':
      return { kind, payload: textPayload(rowId, kind, payload) };
    case 'approval_card':
    case 'approval_update':
      return { kind, payload: approvalPayload(rowId, kind, payload) };
    case 'file':
      return { kind, payload: filePayload(rowId, payload) };
    default:
      throw new Error(`outbox item ${rowId} has an unknown kind ${JSON.stringify(kind)}`);
  }
}

function textPayload(rowId: string, kind: OutboxKind, payload: unknown): TextPayload {
  if (isRecord(payload) && typeof payload.text === 'string') return { text: payload.text };
  throw malformed(rowId, kind, '{ text }');
}

function filePayload(rowId: string, payload: unknown): FilePayload {
  if (
    isRecord(payload) &&
    typeof payload.path === 'string' &&
    typeof payload.name === 'string' &&
    typeof payload.size === 'number'
  ) {
    return {
      path: payload.path,
      name: payload.name,
      size: payload.size,
      ...(typeof payload.mimeType === 'string' ? { mimeType: payload.mimeType } : {}),
      ...(typeof payload.caption === 'string' ? { caption: payload.caption } : {}),
    };
  }
  throw malformed(rowId, 'file', '{ path, name, size }');
}

function approvalPayload(rowId: string, kind: OutboxKind, payload: unknown): ApprovalPayload {
  if (
    isRecord(payload) &&
    typeof payload.approvalId === 'string' &&
    typeof payload.allowSessionScope === 'boolean'
  ) {
    return {
      approvalId: payload.approvalId,
      allowSessionScope: payload.allowSessionScope,
      ...(payload.subject === 'access' ? { subject: 'access' as const } : {}),
    };
  }
  throw malformed(rowId, kind, '{ approvalId, allowSessionScope }');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(rowId: string, kind: OutboxKind, expected: string): Error {
  return new Error(`outbox item ${rowId} (${kind}) has a payload that is not ${expected}`);
}
