/**
 * @module One connection's GPU objects by client-allocated id. Ids are per connection, so a client can only
 * name its own objects; the table enforces the object-count and buffer-byte caps and frees everything on close.
 */

export type ObjectKind = 'buffer' | 'module' | 'pipeline' | 'bindGroupLayout' | 'pipelineLayout' | 'bindGroup' | 'encoder' | 'pass' | 'commandBuffer' | 'querySet';

interface Entry {
  kind: ObjectKind | 'invalid';
  obj: unknown;
  bytes: number;
  /** Why creation failed, for an `invalid` entry. */
  why?: string;
  /** The full host-side mapped range while the buffer is mapped. */
  mapped?: { offset: number; range: Uint8Array };
}

export interface HostCaps {
  /** Sum of live buffer sizes per connection. */
  maxBufferBytes: number;
  /** Live objects (of every kind) per connection. */
  maxObjects: number;
  /** Largest frame accepted from a client. */
  maxMessageBytes: number;
}

export const DEFAULT_CAPS: HostCaps = { maxBufferBytes: 2 * 2 ** 30, maxObjects: 100_000, maxMessageBytes: 32 << 20 };

/** A refusal by the host itself (not Dawn): bad id, cap exceeded. `filter` says which error scope catches it. */
export class BridgeHostError extends Error {
  constructor(
    message: string,
    readonly filter: 'validation' | 'out-of-memory' = 'validation',
  ) {
    super(message);
  }
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new BridgeHostError(`bad object id ${id}`);
}

export class ObjectTable {
  readonly #entries = new Map<number, Entry>();
  readonly #caps: HostCaps;
  #bufferBytes = 0;

  constructor(caps: HostCaps) {
    this.#caps = caps;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bufferBytes(): number {
    return this.#bufferBytes;
  }

  /** Throws unless a new object (of `bytes` buffer bytes) fits the caps and the id is unused. */
  reserve(id: number, bytes = 0): void {
    checkId(id);
    if (this.#entries.has(id)) throw new BridgeHostError(`object id ${id} is already in use`);
    if (this.#entries.size >= this.#caps.maxObjects) {
      throw new BridgeHostError(`GPU host cap: this connection already holds ${this.#entries.size} objects (max ${this.#caps.maxObjects})`, 'out-of-memory');
    }
    if (this.#bufferBytes + bytes > this.#caps.maxBufferBytes) {
      throw new BridgeHostError(
        `GPU host cap: a ${bytes}-byte buffer would bring this connection to ${this.#bufferBytes + bytes} buffer bytes (max ${this.#caps.maxBufferBytes})`,
        'out-of-memory',
      );
    }
  }

  add(id: number, kind: ObjectKind, obj: unknown, bytes = 0): void {
    this.#entries.set(id, { kind, obj, bytes });
    this.#bufferBytes += bytes;
  }

  /** Records a failed creation so later uses report why, like WebGPU's invalid objects. Fits within the object cap. */
  addInvalid(id: number, why: string): void {
    if (!Number.isInteger(id) || id <= 0 || this.#entries.has(id) || this.#entries.size >= this.#caps.maxObjects) return;
    this.#entries.set(id, { kind: 'invalid', obj: undefined, bytes: 0, why });
  }

  entry(id: number, kind: ObjectKind): Entry {
    const e = this.#entries.get(id);
    if (!e) throw new BridgeHostError(`no ${kind} with id ${id} on this connection (never created, destroyed or released)`);
    if (e.kind === 'invalid') throw new BridgeHostError(`${kind} ${id} is invalid: ${e.why}`);
    if (e.kind !== kind) throw new BridgeHostError(`object ${id} is a ${e.kind}, not a ${kind}`);
    return e;
  }

  get<T>(id: number, kind: ObjectKind): T {
    return this.entry(id, kind).obj as T;
  }

  /** Forgets an object (release, end, finish, submit); buffers are not destroyed here, bind groups may still use them. */
  remove(id: number): Entry | undefined {
    const e = this.#entries.get(id);
    if (!e) return undefined;
    this.#entries.delete(id);
    this.#bufferBytes -= e.bytes;
    return e;
  }

  /** Destroys every buffer and query set and forgets everything: the connection is closing. */
  clear(): void {
    for (const e of this.#entries.values()) {
      if (e.kind === 'buffer' || e.kind === 'querySet') {
        try {
          (e.obj as { destroy(): void }).destroy();
        } catch {
          // already destroyed with its device
        }
      }
    }
    this.#entries.clear();
    this.#bufferBytes = 0;
  }
}
