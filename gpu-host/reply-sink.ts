/**
 * @module Outgoing replies of one connection. Replies settled in the same tick share one frame (one socket
 * write); byte payloads over REPLY_CHUNK_BYTES go out as Partial entries, one frame each, so no frame nears
 * workerd's 32 MiB message limit. Events travel as replies with callId 0.
 */
import { ByteWriter, writeHeader, writeReply } from '../bridge/codec.ts';
import { FrameKind, REPLY_CHUNK_BYTES, ReplyStatus, type HostEvent } from '../bridge/protocol.ts';

export class ReplySink {
  readonly #send: (frame: Uint8Array) => void;
  readonly #out = new ByteWriter(1 << 12);
  #flushQueued = false;
  #closed = false;

  constructor(send: (frame: Uint8Array) => void) {
    this.#send = send;
  }

  reply(callId: number, status: ReplyStatus, json?: unknown, bin?: Uint8Array): void {
    if (this.#closed) return;
    let rest = bin;
    while (rest && rest.length > REPLY_CHUNK_BYTES) {
      this.#write(callId, ReplyStatus.Partial, undefined, rest.subarray(0, REPLY_CHUNK_BYTES));
      this.#sendNow();
      rest = rest.subarray(REPLY_CHUNK_BYTES);
    }
    this.#write(callId, status, json, rest);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(() => {
        this.#flushQueued = false;
        this.#sendNow();
      });
    }
  }

  event(event: HostEvent): void {
    this.reply(0, ReplyStatus.Ok, event);
  }

  /** Drops whatever is queued: the socket is gone. */
  close(): void {
    this.#closed = true;
  }

  #write(callId: number, status: ReplyStatus, json: unknown, bin: Uint8Array | undefined): void {
    if (this.#out.length === 0) writeHeader(this.#out, FrameKind.Replies, 0);
    writeReply(this.#out, callId, status, json, bin);
  }

  #sendNow(): void {
    if (this.#closed || this.#out.length === 0) return;
    this.#send(this.#out.take());
  }
}
