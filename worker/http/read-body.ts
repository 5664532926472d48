/** @module Reads a request body with a byte cap, without ever buffering more than the cap. */
import { HttpError } from './errors.ts';
import { concatBytes } from '../../images/bytes.ts';

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'body_too_large', `The request body is over ${maxBytes / 1024 / 1024} MiB; send a smaller image.`);
}

/**
 * How far past the cap an over-long streamed body is read (and thrown away) before giving up on it. Cancelling
 * the stream mid-body leaves the HTTP connection with unread request bytes: under `wrangler dev` the proxy's
 * pooled connection to the Worker is then broken, the 413 is sometimes lost and the *next* request (someone
 * else's) gets a 503 "worker restarted mid-request". Reading to the end keeps the connection reusable; the
 * bound stops a client that streams without end from holding the request forever.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads and drops chunks until the body ends or `limit` more bytes have been seen; then cancels. */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<void> {
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    seen += value.byteLength;
    if (seen > limit) {
      await reader.cancel();
      return;
    }
  }
}

/**
 * Content-Length is checked first (cheap rejection); the stream is counted as it arrives regardless, because a
 * chunked body has no Content-Length and a client may lie about it. With a Content-Length the chunks are copied
 * into one buffer of that size as they arrive: collecting them and concatenating at the end would hold the body
 * twice at that moment (40 MiB for a 20 MiB upload).
 */
export async function readCappedBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  let into = Number.isInteger(declared) && declared > 0 ? new Uint8Array(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      await discardRest(reader, DRAIN_LIMIT_BYTES);
      throw tooLarge(maxBytes);
    }
    if (into && total + value.byteLength > into.byteLength) {
      // More than declared (the runtime normally stops that): go on collecting chunks.
      chunks.push(into.subarray(0, total));
      into = undefined;
    }
    if (into) into.set(value, total);
    else chunks.push(value);
    total += value.byteLength;
  }
  return into ? into.subarray(0, total) : concatBytes(chunks);
}
