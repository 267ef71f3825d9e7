import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer to send: a string body goes out raw, anything else as JSON. */
export interface Reply {
  readonly status: number;
  readonly body?: string | object;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The gateway's limit for AK/SK-signed bodies (reference §3.1). */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;

/**
 * The exact body bytes (the signature covers them), or undefined when the body is over the limit.
 * An oversized body is still drained, so the connection stays in a state where a 413 can be sent.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}

/** Does nothing on a socket that is gone or already answered. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const { status, body, headers = {} } = reply;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  if (payload !== undefined) res.setHeader('Content-Type', typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(status);
  res.end(payload);
}
