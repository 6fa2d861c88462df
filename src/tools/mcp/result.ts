/**
 * An MCP `tools/call` result as a tool output for the model: text kept, structured content as
 * JSON, images, audio and binary resources named (with their type and size) rather than pasted,
 * and the whole cut to the server's `max_output` with a visible marker.
 */
import type { ToolResult } from '../tool.js';

/** One content block of a result, as far as this reads it. */
interface ContentBlock {
  type?: unknown;
  text?: unknown;
  data?: unknown;
  mimeType?: unknown;
  uri?: unknown;
  name?: unknown;
  resource?: { uri?: unknown; mimeType?: unknown; text?: unknown; blob?: unknown };
}

/** The parts of a `CallToolResult` read here (older servers send `toolResult` instead). */
export interface CallResultLike {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
  toolResult?: unknown;
}

/** Bytes of base64 `data`, without decoding it. */
function base64Bytes(data: unknown): number {
  if (typeof data !== 'string') return 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function describeBlock(block: ContentBlock): string {
  const mime = typeof block.mimeType === 'string' ? block.mimeType : 'unknown type';
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? block.text : '';
    case 'image':
      return `[image: ${mime}, ${base64Bytes(block.data)} bytes]`;
    case 'audio':
      return `[audio: ${mime}, ${base64Bytes(block.data)} bytes]`;
    case 'resource_link':
      return `[resource link: ${String(block.uri)}${typeof block.name === 'string' ? ` (${block.name})` : ''}]`;
    case 'resource': {
      const resource = block.resource ?? {};
      const rmime = typeof resource.mimeType === 'string' ? resource.mimeType : 'unknown type';
      if (typeof resource.text === 'string') return `[resource ${String(resource.uri)}]\n${resource.text}`;
      return `[resource ${String(resource.uri)}: ${rmime}, ${base64Bytes(resource.blob)} bytes]`;
    }
    default:
      return `[${String(block.type)} content]`;
  }
}

/** Cuts `text` to `max` characters with a marker saying how much is left out. */
export function capOutput(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const marker = `\n… (${text.length - max} more characters cut)`;
  return { text: text.slice(0, Math.max(0, max - marker.length)) + marker, truncated: true };
}

/** The tool output of one MCP call result. */
export function toToolResult(
  result: CallResultLike,
  maxOutput: number,
  origin: { server: string; tool: string },
): ToolResult {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  const parts = blocks.map(describeBlock).filter((part) => part !== '');
  // MCP asks servers to repeat structured content as text; it is added only when no text came.
  const hasText = blocks.some((block) => block.type === 'text');
  if (!hasText && result.structuredContent !== undefined && result.structuredContent !== null) {
    parts.push(JSON.stringify(result.structuredContent));
  }
  if (parts.length === 0 && result.toolResult !== undefined) parts.push(JSON.stringify(result.toolResult));
  const capped = capOutput(parts.join('\n'), maxOutput);
  const ok = result.isError !== true;
  return {
    ok,
    output: capped.text || (ok ? '(no output)' : '(the tool failed without saying why)'),
    detail: {
      server: origin.server,
      tool: origin.tool,
      content: blocks.map((block) => String(block.type)),
      ...(capped.truncated ? { truncated: true } : {}),
    },
  };
}
