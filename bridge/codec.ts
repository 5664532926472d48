/**
 * @module Binary encoding of bridge frames. Runtime-agnostic.
 *
 * Command: `[u8 op][u8 flags][u16 nNums][u32 callId if flags&CALL][nNums x f64][u32 len + JSON if flags&JSON][u32 len + bytes if flags&BIN]`.
 * Reply:   `[u32 callId][u8 status][u8 flags][u32 len + JSON if flags&JSON][u32 len + bytes if flags&BIN]`.
 * Numbers are f64 so offsets and sizes above 2^32 survive; bytes are raw (tensors never go through JSON).
 */
import { FrameKind, HEADER_BYTES, MAGIC, PROTOCOL_VERSION } from './protocol.ts';

const FLAG_JSON = 1;
const FLAG_BIN = 2;
const FLAG_CALL = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Thrown for a frame that does not parse; the host answers it with a protocol error. */
class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Growable little-endian writer; `take()` hands the bytes over (no copy), so the caller may pass them to send(). */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(initial = 4096) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#len;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.#len++] = v;
  }

  u16(v: number): void {
    this.#ensure(2);
    this.#view.setUint16(this.#len, v, true);
    this.#len += 2;
  }

  u32(v: number): void {
    this.#ensure(4);
    this.#view.setUint32(this.#len, v, true);
    this.#len += 4;
  }

  f64(v: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.#len, v, true);
    this.#len += 8;
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  /**
   * Hands over the written bytes without copying them (a frame is copied enough by the socket already) and
   * starts a fresh buffer of the same capacity, unless the last batch was a one-off big upload.
   */
  take(): Uint8Array {
    const out = this.#buf.subarray(0, this.#len);
    const capacity = this.#buf.length > 1 << 22 ? 4096 : this.#buf.length;
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
    this.#len = 0;
    return out;
  }
}

/** Bounds-checked little-endian reader over one frame; every overrun is a ProtocolError, never a crash. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  #need(n: number): void {
    if (n < 0 || this.#pos + n > this.#bytes.length) {
      throw new ProtocolError(`truncated frame: need ${n} bytes at ${this.#pos}, have ${this.remaining}`);
    }
  }

  u8(): number {
    this.#need(1);
    return this.#bytes[this.#pos++];
  }

  u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.#pos, true);
    this.#pos += 2;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.#pos, true);
    this.#pos += 4;
    return v;
  }

  f64(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  /** A view into the frame (no copy). */
  bytes(n: number): Uint8Array {
    this.#need(n);
    const v = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }

  json(n: number): unknown {
    const raw = this.bytes(n);
    try {
      return JSON.parse(decoder.decode(raw));
    } catch (e) {
      throw new ProtocolError(`bad JSON: ${(e as Error).message}`);
    }
  }
}

export function writeHeader(w: ByteWriter, kind: FrameKind, seq: number): void {
  w.u32(MAGIC);
  w.u16(PROTOCOL_VERSION);
  w.u16(kind);
  w.u32(seq >>> 0);
}

interface FrameHeader {
  kind: number;
  version: number;
  seq: number;
}

export function readHeader(r: ByteReader): FrameHeader {
  if (r.remaining < HEADER_BYTES) throw new ProtocolError(`frame of ${r.remaining} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  const magic = r.u32();
  if (magic !== MAGIC) throw new ProtocolError(`bad magic 0x${magic.toString(16)}`);
  const version = r.u16();
  const kind = r.u16();
  const seq = r.u32();
  return { kind, version, seq };
}

export interface CommandArgs {
  callId?: number;
  nums?: readonly number[];
  json?: unknown;
  bin?: Uint8Array;
}

export function writeCommand(w: ByteWriter, op: number, args: CommandArgs = {}): void {
  const nums = args.nums ?? [];
  if (nums.length > 0xffff) throw new RangeError(`too many numeric arguments (${nums.length})`);
  const json = args.json === undefined ? undefined : encoder.encode(JSON.stringify(args.json));
  const flags = (json ? FLAG_JSON : 0) | (args.bin ? FLAG_BIN : 0) | (args.callId ? FLAG_CALL : 0);
  w.u8(op);
  w.u8(flags);
  w.u16(nums.length);
  if (args.callId) w.u32(args.callId);
  for (const n of nums) w.f64(n);
  if (json) {
    w.u32(json.length);
    w.bytes(json);
  }
  if (args.bin) {
    w.u32(args.bin.length);
    w.bytes(args.bin);
  }
}

export interface Command {
  op: number;
  callId: number;
  nums: number[];
  json: unknown;
  bin: Uint8Array | undefined;
}

export function readCommand(r: ByteReader): Command {
  const op = r.u8();
  const flags = r.u8();
  const count = r.u16();
  const callId = flags & FLAG_CALL ? r.u32() : 0;
  const nums: number[] = [];
  for (let i = 0; i < count; i++) nums.push(r.f64());
  const json = flags & FLAG_JSON ? r.json(r.u32()) : undefined;
  const bin = flags & FLAG_BIN ? r.bytes(r.u32()) : undefined;
  return { op, callId, nums, json, bin };
}

export interface Reply {
  callId: number;
  status: number;
  json: unknown;
  bin: Uint8Array | undefined;
}

export function writeReply(w: ByteWriter, callId: number, status: number, json?: unknown, bin?: Uint8Array): void {
  const text = json === undefined ? undefined : encoder.encode(JSON.stringify(json));
  w.u32(callId);
  w.u8(status);
  w.u8((text ? FLAG_JSON : 0) | (bin ? FLAG_BIN : 0));
  if (text) {
    w.u32(text.length);
    w.bytes(text);
  }
  if (bin) {
    w.u32(bin.length);
    w.bytes(bin);
  }
}

export function readReply(r: ByteReader): Reply {
  const callId = r.u32();
  const status = r.u8();
  const flags = r.u8();
  const json = flags & FLAG_JSON ? r.json(r.u32()) : undefined;
  const bin = flags & FLAG_BIN ? r.bytes(r.u32()) : undefined;
  return { callId, status, json, bin };
}

/** A handshake frame (hello, welcome): the header, then one JSON body filling the rest. */
export function encodeJsonFrame(kind: FrameKind, body: unknown): Uint8Array {
  const w = new ByteWriter(256);
  writeHeader(w, kind, 0);
  w.bytes(encoder.encode(JSON.stringify(body)));
  return w.take();
}

/** The body of a frame written by encodeJsonFrame; throws when the frame is not of `kind` or does not parse. */
export function decodeJsonFrame(bytes: Uint8Array, kind: FrameKind): unknown {
  const r = new ByteReader(bytes);
  const header = readHeader(r);
  if (header.kind !== kind) throw new Error(`expected a ${frameKindName(kind)}, got frame kind ${header.kind}`);
  return r.json(r.remaining);
}

function frameKindName(kind: FrameKind): string {
  for (const [name, value] of Object.entries(FrameKind)) if (value === kind) return name.toLowerCase();
  return `kind ${kind}`;
}
