/**
 * @module Command encoder, compute pass and command buffer proxies. Every call only appends to the batch:
 * recording a whole inference costs no round trip.
 */
import type { BridgeConnection } from './connection.ts';
import { Handle, idOf } from './handle.ts';
import { Op } from './protocol.ts';

export class BridgeCommandBuffer extends Handle {}

export class BridgeComputePass extends Handle {
  setPipeline(pipeline: GPUComputePipeline): void {
    this.conn.enqueue(Op.SetPipeline, { nums: [this.id, idOf(this.conn, pipeline, 'setPipeline: pipeline')] });
  }

  setBindGroup(index: number, bindGroup: GPUBindGroup | null, dynamicOffsets?: Iterable<number> | Uint32Array, start = 0, length?: number): void {
    const bg = bindGroup === null ? 0 : idOf(this.conn, bindGroup, 'setBindGroup: bind group');
    let offsets: number[] = [];
    if (dynamicOffsets) {
      const all = [...dynamicOffsets];
      offsets = dynamicOffsets instanceof Uint32Array ? all.slice(start, start + (length ?? all.length - start)) : all;
    }
    this.conn.enqueue(Op.SetBindGroup, { nums: [this.id, index, bg, ...offsets] });
  }

  dispatchWorkgroups(x: number, y = 1, z = 1): void {
    this.conn.enqueue(Op.Dispatch, { nums: [this.id, x, y, z] });
  }

  dispatchWorkgroupsIndirect(indirectBuffer: GPUBuffer, indirectOffset: number): void {
    this.conn.enqueue(Op.DispatchIndirect, { nums: [this.id, idOf(this.conn, indirectBuffer, 'dispatchWorkgroupsIndirect: buffer'), indirectOffset] });
  }

  end(): void {
    this.conn.enqueue(Op.PassEnd, { nums: [this.id] });
  }

  // Debug markers only label captures; dropping them keeps the batch small and changes no result.
  pushDebugGroup(_label: string): void {}
  popDebugGroup(): void {}
  insertDebugMarker(_label: string): void {}
}

export class BridgeCommandEncoder extends Handle {
  beginComputePass(desc: GPUComputePassDescriptor = {}): BridgeComputePass {
    const id = this.conn.newId();
    const tw = desc.timestampWrites;
    const json = {
      label: desc.label,
      timestampWrites: tw
        ? { querySet: idOf(this.conn, tw.querySet, 'timestampWrites.querySet'), beginningOfPassWriteIndex: tw.beginningOfPassWriteIndex, endOfPassWriteIndex: tw.endOfPassWriteIndex }
        : undefined,
    };
    this.conn.enqueue(Op.BeginComputePass, { nums: [this.id, id], json: desc.label || tw ? json : undefined });
    return new BridgeComputePass(this.conn, id, desc.label);
  }

  copyBufferToBuffer(source: GPUBuffer, a: number | GPUBuffer, b?: GPUBuffer | number, c?: number, d?: number): void {
    // Both overloads: (src, srcOffset, dst, dstOffset, size) and (src, dst, size?).
    let srcOffset = 0;
    let dst: unknown;
    let dstOffset = 0;
    let size: number | undefined;
    if (typeof a === 'number') {
      srcOffset = a;
      dst = b;
      dstOffset = c ?? 0;
      size = d;
    } else {
      dst = a;
      size = typeof b === 'number' ? b : undefined;
    }
    const src = idOf(this.conn, source, 'copyBufferToBuffer: source');
    const dstId = idOf(this.conn, dst, 'copyBufferToBuffer: destination');
    const bytes = size ?? (source as unknown as { size: number }).size - srcOffset;
    this.conn.enqueue(Op.CopyBufferToBuffer, { nums: [this.id, src, srcOffset, dstId, dstOffset, bytes] });
  }

  clearBuffer(buffer: GPUBuffer, offset = 0, size?: number): void {
    this.conn.enqueue(Op.ClearBuffer, { nums: [this.id, idOf(this.conn, buffer, 'clearBuffer: buffer'), offset, size ?? -1] });
  }

  resolveQuerySet(querySet: GPUQuerySet, firstQuery: number, queryCount: number, destination: GPUBuffer, destinationOffset: number): void {
    this.conn.enqueue(Op.ResolveQuerySet, {
      nums: [this.id, idOf(this.conn, querySet, 'resolveQuerySet: querySet'), firstQuery, queryCount, idOf(this.conn, destination, 'resolveQuerySet: destination'), destinationOffset],
    });
  }

  finish(desc: GPUCommandBufferDescriptor = {}): BridgeCommandBuffer {
    const id = this.conn.newId();
    this.conn.enqueue(Op.Finish, { nums: [this.id, id] });
    return new BridgeCommandBuffer(this.conn, id, desc.label);
  }

  pushDebugGroup(_label: string): void {}
  popDebugGroup(): void {}
  insertDebugMarker(_label: string): void {}
}

export function createCommandEncoder(conn: BridgeConnection, desc: GPUCommandEncoderDescriptor = {}): BridgeCommandEncoder {
  return conn.create(Op.CreateCommandEncoder, (id) => ({ nums: [id] }), (id) => new BridgeCommandEncoder(conn, id, desc.label));
}
