import { ChannelError } from '../ports/channel.js';

/**
 * Reads a fetch `Response` body for a channel's attachment download, stopping as soon as it
 * exceeds `maxBytes` (a declared length over the cap is refused before reading). Throws a
 * permanent `ChannelError` saying the file is too large.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new ChannelError('permanent', `it is larger than ${maxBytes} bytes`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
