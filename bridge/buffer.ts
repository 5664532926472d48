/**
 * @module GPUBuffer proxy. mapAsync brings the mapped bytes back in its reply, so getMappedRange is synchronous;
 * ranges written under a write mapping (MAP_WRITE or mappedAtCreation) travel to the host on unmap.
 */
import type { BridgeConnection } from './connection.ts';
import { MAP_WRITE } from './constants.ts';
import { operationError } from './errors.ts';
import { Handle } from './handle.ts';
import { Op } from './protocol.ts';

interface Mapping {
  mode: number;
  offset: number;
  size: number;
  /** The buffer's bytes in [offset, offset + size) at map time. */
  data: Uint8Array;
  /** Ranges handed out by getMappedRange, sent back on unmap when writing. */
  ranges: { offset: number; buffer: ArrayBuffer }[];
}

export class BridgeBuffer extends Handle {
  readonly size: number;
  readonly usage: number;
  #state: GPUBufferMapState = 'unmapped';
  #mapping: Mapping | undefined;
  /** Bumped by unmap/destroy so a map reply arriving after them is ignored (it was aborted). */
  #mapGeneration = 0;
  #destroyed = false;

  constructor(conn: BridgeConnection, id: number, desc: GPUBufferDescriptor) {
    super(conn, id, desc.label);
    this.size = desc.size;
    this.usage = desc.usage;
    if (desc.mappedAtCreation) {
      this.#state = 'mapped';
      this.#mapping = { mode: MAP_WRITE, offset: 0, size: desc.size, data: new Uint8Array(desc.size), ranges: [] };
    }
  }

  get mapState(): GPUBufferMapState {
    return this.#state;
  }

  async mapAsync(mode: number, offset = 0, size?: number): Promise<void> {
    if (this.#state !== 'unmapped') throw operationError(`mapAsync: buffer "${this.label}" is already ${this.#state}`);
    const length = size ?? Math.max(0, this.size - offset);
    this.#state = 'pending';
    const generation = ++this.#mapGeneration;
    try {
      const reply = await this.conn.call(Op.BufferMapAsync, 'mapAsync', { nums: [this.id, mode, offset, length] });
      if (generation !== this.#mapGeneration) throw operationError('mapAsync was aborted by unmap() or destroy()', 'AbortError');
      this.#mapping = { mode, offset, size: length, data: reply.bin ?? new Uint8Array(length), ranges: [] };
      this.#state = 'mapped';
    } catch (e) {
      if (generation === this.#mapGeneration) this.#state = 'unmapped';
      throw e;
    }
  }

  /** Synchronous, as in WebGPU: the bytes arrived with the mapAsync reply. Each call returns a fresh ArrayBuffer. */
  getMappedRange(offset = 0, size?: number): ArrayBuffer {
    const m = this.#mapping;
    if (this.#state !== 'mapped' || !m) throw operationError(`getMappedRange: buffer "${this.label}" is not mapped (${this.#state})`);
    const length = size ?? Math.max(0, m.offset + m.size - offset);
    if (offset % 8 !== 0 || length % 4 !== 0) throw operationError(`getMappedRange: offset ${offset} must be a multiple of 8 and size ${length} of 4`);
    if (offset < m.offset || offset + length > m.offset + m.size) {
      throw operationError(`getMappedRange: [${offset}, ${offset + length}) is outside the mapped range [${m.offset}, ${m.offset + m.size})`);
    }
    for (const r of m.ranges) {
      if (offset < r.offset + r.buffer.byteLength && r.offset < offset + length) throw operationError('getMappedRange: range overlaps one already returned');
    }
    const start = offset - m.offset;
    const buffer = m.data.slice(start, start + length).buffer;
    m.ranges.push({ offset, buffer });
    return buffer;
  }

  unmap(): void {
    const m = this.#mapping;
    this.#mapGeneration++;
    if (this.#state === 'unmapped') return;
    if (m && m.mode & MAP_WRITE) {
      for (const r of m.ranges) this.conn.enqueueChunked(Op.BufferWriteMapped, this.id, r.offset, new Uint8Array(r.buffer), false);
    }
    this.#mapping = undefined;
    this.#state = 'unmapped';
    this.conn.enqueue(Op.BufferUnmap, { nums: [this.id] });
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#mapGeneration++;
    this.#mapping = undefined;
    this.#state = 'unmapped';
    this.conn.enqueue(Op.BufferDestroy, { nums: [this.id] });
  }
}
