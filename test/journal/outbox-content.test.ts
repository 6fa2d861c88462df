import { describe, expect, it } from 'vitest';
import { parseOutboxContent } from '../../src/journal/shared/outbox-content.js';

describe('outbox payloads are checked once, where rows are read', () => {
  it('reads the payloads this daemon writes, as they are stored', () => {
    expect(parseOutboxContent('o1', 'reply', { text: 'hi' })).toEqual({
      kind: 'reply',
      payload: { text: 'hi' },
    });
    expect(parseOutboxContent('o2', 'notice', JSON.parse('{"text":"sorry"}'))).toEqual({
      kind: 'notice',
      payload: { text: 'sorry' },
    });
    expect(
      parseOutboxContent('o3', 'approval_card', JSON.parse('{"approvalId":"ap-1","allowSessionScope":true}')),
    ).toEqual({ kind: 'approval_card', payload: { approvalId: 'ap-1', allowSessionScope: true } });
    expect(
      parseOutboxContent('o4', 'approval_update', { approvalId: 'ap-1', allowSessionScope: false }),
    ).toEqual({ kind: 'approval_update', payload: { approvalId: 'ap-1', allowSessionScope: false } });
  });

  it('keeps only the fields of the payload type', () => {
    expect(parseOutboxContent('o1', 'reply', { text: 'hi', extra: 1 })).toEqual({
      kind: 'reply',
      payload: { text: 'hi' },
    });
  });

  it('refuses a payload that does not fit its kind, naming the row', () => {
    expect(() => parseOutboxContent('o7', 'reply', { approvalId: 'ap-1' })).toThrow(
      /outbox item o7 \(reply\)/,
    );
    expect(() => parseOutboxContent('o8', 'approval_card', { text: 'hi' })).toThrow(/approvalId/);
    expect(() => parseOutboxContent('o9', 'approval_update', { approvalId: 'ap-1' })).toThrow(/o9/);
    expect(() => parseOutboxContent('o10', 'notice', null)).toThrow(/o10/);
    expect(() => parseOutboxContent('o11', 'reply', ['hi'])).toThrow(/o11/);
  });

  it('refuses a kind it does not know', () => {
    expect(() => parseOutboxContent('o12', 'carrier_pigeon' as 'reply', { text: 'hi' })).toThrow(
      /unknown kind "carrier_pigeon"/,
    );
  });
});
