/** @module Proxies with no methods of their own beyond what WebGPU gives them: shader modules, pipelines, layouts, bind groups, query sets. */
import type { BridgeConnection } from './connection.ts';
import { Handle } from './handle.ts';
import { Op } from './protocol.ts';

interface WireCompilationMessage {
  message: string;
  type: GPUCompilationMessageType;
  lineNum: number;
  linePos: number;
  offset: number;
  length: number;
}

export class BridgeShaderModule extends Handle {
  /** One round trip; the host returns the compiler's messages (errors, warnings) verbatim. */
  async getCompilationInfo(): Promise<GPUCompilationInfo> {
    const reply = await this.conn.call(Op.GetCompilationInfo, 'getCompilationInfo', { nums: [this.id] });
    const messages = ((reply.json as { messages?: WireCompilationMessage[] })?.messages ?? []).map((m) => Object.freeze({ ...m }));
    return { messages: Object.freeze(messages) } as unknown as GPUCompilationInfo;
  }
}

export class BridgeBindGroupLayout extends Handle {}
export class BridgePipelineLayout extends Handle {}
export class BridgeBindGroup extends Handle {}

export class BridgeComputePipeline extends Handle {
  /** A new layout object per call, as in WebGPU; the host resolves it from its own pipeline. */
  getBindGroupLayout(index: number): BridgeBindGroupLayout {
    return this.conn.create(Op.GetBindGroupLayout, (id) => ({ nums: [this.id, index, id] }), (id) => new BridgeBindGroupLayout(this.conn, id, undefined));
  }
}

export class BridgeQuerySet extends Handle {
  readonly type: GPUQueryType;
  readonly count: number;

  constructor(conn: BridgeConnection, id: number, desc: GPUQuerySetDescriptor) {
    super(conn, id, desc.label);
    this.type = desc.type;
    this.count = desc.count;
  }

  destroy(): void {
    this.conn.enqueue(Op.QuerySetDestroy, { nums: [this.id] });
  }
}
