/**
 * Text normalization of a person's input before it reaches the model: Unicode NFC, line endings
 * unified, control characters and bidirectional overrides removed (newlines and tabs kept), and
 * surrounding whitespace trimmed. Adapters already strip the bot's mention; the gateway already
 * refuses input over `limits.max_message_chars`.
 */

/** C0/C1 controls except tab and newline, DEL, and the bidi embedding/override/isolate marks. */
const UNWANTED = /(?![\t\n])\p{Cc}|[\u202a-\u202e\u2066-\u2069]/gu;

/** Normalizes `text` as described above; idempotent. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\r\n?/g, '\n').replace(UNWANTED, '').trim();
}
