import type { FilePayload, TapeEvent } from '../core/types.js';
import { parseOutboxContent } from '../journal/shared/outbox-content.js';

/** The built-in tool whose successful output asks for a file to be sent to the chat. */
const SEND_FILE = 'send_file';

/**
 * The files `send_file` chose since the run's last model call, in order: they go into the outbox
 * with the next model request's commit, so each is queued exactly once. Only the built-in tool's
 * outputs count (an MCP tool of the same name cannot ask for a file to leave the workspace).
 */
export function filesChosenSinceLastModelCall(tape: readonly TapeEvent[]): FilePayload[] {
  let from = 0;
  tape.forEach((event, index) => {
    if (event.kind === 'provider_request') from = index + 1;
  });
  const files: FilePayload[] = [];
  for (const event of tape.slice(from)) {
    if (event.kind !== 'tool_output') continue;
    const body = event.body as {
      tool?: unknown;
      source?: unknown;
      ok?: unknown;
      detail?: { sendFile?: unknown };
    };
    if (body.tool !== SEND_FILE || body.source !== undefined || body.ok !== true) continue;
    try {
      const content = parseOutboxContent(`${event.runId}:${event.seq}`, 'file', body.detail?.sendFile);
      if (content.kind === 'file') files.push(content.payload);
    } catch {
      // Not a file this daemon's send_file describes: nothing to send.
    }
  }
  return files;
}
