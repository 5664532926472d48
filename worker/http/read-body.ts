/** @module Reads a request body with a byte cap, without ever buffering more than the cap. */
import { HttpError } from './errors.ts';

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'body_too_large', `The request body is over ${maxBytes / 1024 / 1024} MiB; send a smaller image.`);
}

/**
 * Content-Length is checked first (cheap rejection); the stream is counted as it arrives regardless, because a
 * chunked body has no Content-Length and a client may lie about it.
 */
export async function readCappedBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
