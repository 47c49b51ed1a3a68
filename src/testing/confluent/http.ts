/** Reading request bodies and writing responses on `node:http`. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A response to send. `json` and `text` are exclusive; neither means no body. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: { contentType: string; body: string };
}

export type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: true };

/**
 * Reads the whole body as UTF-8. Past `limitBytes` the rest is read and discarded, so the client
 * finishes sending and can read the `413`.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        size > limitBytes
          ? { ok: false, tooLarge: true }
          : { ok: true, text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    req.on('error', reject);
  });
}

/** Writes a reply; a no-op when the connection is already gone. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  let payload: string | undefined;
  let contentType: string | undefined;
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    contentType = 'application/json';
  } else if (reply.text !== undefined) {
    payload = reply.text.body;
    contentType = reply.text.contentType;
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (payload !== undefined && contentType !== undefined) {
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', Buffer.byteLength(payload));
  } else {
    res.setHeader('Content-Length', 0);
  }
  res.writeHead(reply.status);
  res.end(payload);
}

/** The media type of a `Content-Type` header, lower-cased and without parameters. */
export function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(';', 1)[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}
