/** One part of a `multipart/form-data` body. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * Parses a `multipart/form-data` body as the platforms' servers do, for the fakes' file uploads
 * (discord.js attachments, grammY's sendDocument / sendPhoto). Binary parts stay bytes.
 */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${marker}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, data, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    // Quoted or not, with or without spaces after `;` (grammY writes `;filename=a.csv`).
    const name = /[:;]\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const file = /;\s*filename=(?:"([^"]*)"|([^;\r\n]+))/i.exec(disposition);
    const filename = file ? (file[1] ?? file[2]) : undefined;
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      ...(type !== undefined ? { contentType: type } : {}),
      data: Buffer.from(part.subarray(split + 4)),
    });
    at = next;
  }
  return parts;
}
