/** @module GPUQueue proxy: writeBuffer copies the caller's bytes into the batch at call time, as WebGPU does. */
import type { BridgeConnection } from './connection.ts';
import { operationError } from './errors.ts';
import { Handle, idOf } from './handle.ts';
import { Op } from './protocol.ts';

export class BridgeQueue extends Handle {
  writeBuffer(buffer: GPUBuffer, bufferOffset: number, data: ArrayBuffer | ArrayBufferView | SharedArrayBuffer, dataOffset = 0, size?: number): void {
    const target = idOf(this.conn, buffer, 'writeBuffer: buffer');
    let bytes: Uint8Array;
    let element = 1;
    if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      element = (data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    } else {
      bytes = new Uint8Array(data as ArrayBuffer);
    }
    const start = dataOffset * element;
    const length = size === undefined ? bytes.length - start : size * element;
    if (start < 0 || length < 0 || start + length > bytes.length) {
      throw operationError(`writeBuffer: data range [${start}, ${start + length}) exceeds the ${bytes.length}-byte source`);
    }
    // Large uploads become several commands (and frames), each under the host's frame cap; an empty write
    // still sends one empty command.
    this.conn.enqueueChunked(Op.WriteBuffer, target, bufferOffset, bytes.subarray(start, start + length), true);
  }

  submit(commandBuffers: Iterable<GPUCommandBuffer>): void {
    const ids = [...commandBuffers].map((cb) => idOf(this.conn, cb, 'submit: command buffer'));
    this.conn.enqueue(Op.Submit, { nums: ids });
  }

  async onSubmittedWorkDone(): Promise<undefined> {
    await this.conn.call(Op.OnSubmittedWorkDone, 'onSubmittedWorkDone');
    return undefined;
  }
}

export function createQueue(conn: BridgeConnection): BridgeQueue {
  return new BridgeQueue(conn, 0, undefined);
}
