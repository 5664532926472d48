/**
 * @module GPUDevice proxy. Creation calls return proxies at once and only append to the batch; their
 * failures reach the caller as in WebGPU, through error scopes or the `uncapturederror` event.
 */
import { BridgeBuffer } from './buffer.ts';
import type { BridgeConnection } from './connection.ts';
import { createCommandEncoder, type BridgeCommandEncoder } from './encoder.ts';
import { gpuError } from './errors.ts';
import { idOf } from './handle.ts';
import { ERROR_FILTERS, Op, type AdapterInfo, type DeviceDescription, type ErrorFilter, type HostEvent } from './protocol.ts';
import { createQueue, type BridgeQueue } from './queue.ts';
import { BridgeBindGroup, BridgeBindGroupLayout, BridgeComputePipeline, BridgePipelineLayout, BridgeQuerySet, BridgeShaderModule } from './resources.ts';

function bindingResource(conn: BridgeConnection, resource: unknown, binding: number): { buffer: number; offset?: number; size?: number } {
  if (resource && typeof resource === 'object' && 'buffer' in resource) {
    const b = resource as GPUBufferBinding;
    return { buffer: idOf(conn, b.buffer, `createBindGroup: entry ${binding} buffer`), offset: b.offset, size: b.size };
  }
  // WebGPU also accepts a bare GPUBuffer as the resource.
  return { buffer: idOf(conn, resource, `createBindGroup: entry ${binding} (the bridge supports buffer bindings only)`) };
}

export class BridgeDevice extends EventTarget {
  readonly conn: BridgeConnection;
  readonly limits: Readonly<Record<string, number>>;
  readonly features: ReadonlySet<string>;
  readonly adapterInfo: AdapterInfo;
  readonly queue: BridgeQueue;
  readonly lost: Promise<GPUDeviceLostInfo>;
  label = '';
  onuncapturederror: ((event: Event) => void) | null = null;
  #resolveLost!: (info: GPUDeviceLostInfo) => void;
  #isLost = false;
  #errorListeners = 0;

  constructor(conn: BridgeConnection, desc: DeviceDescription, info: AdapterInfo, label: string | undefined) {
    super();
    this.conn = conn;
    this.limits = Object.freeze({ ...desc.limits });
    this.features = new Set(desc.features);
    this.adapterInfo = info;
    this.label = label ?? '';
    this.queue = createQueue(conn);
    this.lost = new Promise((resolve) => (this.#resolveLost = resolve));
    conn.onLost = (message) => this.#markLost('unknown', message);
    conn.onEvent = (event) => this.#onHostEvent(event);
  }

  #markLost(reason: 'unknown' | 'destroyed', message: string): void {
    if (this.#isLost) return;
    this.#isLost = true;
    this.#resolveLost({ reason, message } as GPUDeviceLostInfo);
  }

  #onHostEvent(event: HostEvent): void {
    if (event.type === 'lost') {
      this.#markLost(event.reason === 'destroyed' ? 'destroyed' : 'unknown', event.message);
      return;
    }
    if (event.type !== 'uncapturederror') return;
    const error = gpuError(event.error.kind, event.error.message);
    const ev = new Event('uncapturederror');
    Object.defineProperty(ev, 'error', { value: error });
    this.onuncapturederror?.(ev);
    this.dispatchEvent(ev);
    if (!this.onuncapturederror && this.#errorListeners === 0) console.warn(`[gpu-bridge] uncaptured ${event.error.kind} error: ${event.error.message}`);
  }

  override addEventListener(...[type, listener, options]: Parameters<EventTarget['addEventListener']>): void {
    if (type === 'uncapturederror' && listener) this.#errorListeners++;
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(...[type, listener, options]: Parameters<EventTarget['removeEventListener']>): void {
    if (type === 'uncapturederror' && listener) this.#errorListeners = Math.max(0, this.#errorListeners - 1);
    super.removeEventListener(type, listener, options);
  }

  createBuffer(desc: GPUBufferDescriptor): BridgeBuffer {
    return this.conn.create(
      Op.CreateBuffer,
      (id) => ({ nums: [id, desc.size, desc.usage, desc.mappedAtCreation ? 1 : 0], json: desc.label ? { label: desc.label } : undefined }),
      (id) => new BridgeBuffer(this.conn, id, desc),
    );
  }

  createShaderModule(desc: GPUShaderModuleDescriptor): BridgeShaderModule {
    return this.conn.create(Op.CreateShaderModule, (id) => ({ nums: [id], json: { code: desc.code, label: desc.label } }), (id) => new BridgeShaderModule(this.conn, id, desc.label));
  }

  #pipelineJson(desc: GPUComputePipelineDescriptor): unknown {
    return {
      label: desc.label,
      layout: desc.layout === 'auto' ? 'auto' : idOf(this.conn, desc.layout, 'createComputePipeline: layout'),
      compute: {
        module: idOf(this.conn, desc.compute.module, 'createComputePipeline: compute.module'),
        entryPoint: desc.compute.entryPoint,
        constants: desc.compute.constants,
      },
    };
  }

  createComputePipeline(desc: GPUComputePipelineDescriptor): BridgeComputePipeline {
    return this.conn.create(Op.CreateComputePipeline, (id) => ({ nums: [id], json: this.#pipelineJson(desc) }), (id) => new BridgeComputePipeline(this.conn, id, desc.label));
  }

  /** Resolves once the host has compiled it; rejects with a GPUPipelineError-like error (`reason`) when it fails. */
  async createComputePipelineAsync(desc: GPUComputePipelineDescriptor): Promise<BridgeComputePipeline> {
    const id = this.conn.newId();
    const json = this.#pipelineJson(desc);
    await this.conn.call(Op.CreateComputePipelineAsync, 'createComputePipelineAsync', { nums: [id], json });
    const pipeline = new BridgeComputePipeline(this.conn, id, desc.label);
    this.conn.track(pipeline, id);
    return pipeline;
  }

  createBindGroupLayout(desc: GPUBindGroupLayoutDescriptor): BridgeBindGroupLayout {
    return this.conn.create(
      Op.CreateBindGroupLayout,
      (id) => {
        const entries = [...desc.entries].map((e) => ({ binding: e.binding, visibility: e.visibility, buffer: e.buffer, storageTexture: e.storageTexture, texture: e.texture, sampler: e.sampler }));
        return { nums: [id], json: { label: desc.label, entries } };
      },
      (id) => new BridgeBindGroupLayout(this.conn, id, desc.label),
    );
  }

  createPipelineLayout(desc: GPUPipelineLayoutDescriptor): BridgePipelineLayout {
    return this.conn.create(
      Op.CreatePipelineLayout,
      (id) => {
        const layouts = [...desc.bindGroupLayouts].map((l, i) => (l == null ? null : idOf(this.conn, l, `createPipelineLayout: bindGroupLayouts[${i}]`)));
        return { nums: [id], json: { label: desc.label, bindGroupLayouts: layouts } };
      },
      (id) => new BridgePipelineLayout(this.conn, id, desc.label),
    );
  }

  createBindGroup(desc: GPUBindGroupDescriptor): BridgeBindGroup {
    return this.conn.create(
      Op.CreateBindGroup,
      (id) => {
        const entries = [...desc.entries].map((e) => ({ binding: e.binding, resource: bindingResource(this.conn, e.resource, e.binding) }));
        return { nums: [id], json: { label: desc.label, layout: idOf(this.conn, desc.layout, 'createBindGroup: layout'), entries } };
      },
      (id) => new BridgeBindGroup(this.conn, id, desc.label),
    );
  }

  createCommandEncoder(desc?: GPUCommandEncoderDescriptor): BridgeCommandEncoder {
    return createCommandEncoder(this.conn, desc);
  }

  createQuerySet(desc: GPUQuerySetDescriptor): BridgeQuerySet {
    return this.conn.create(Op.CreateQuerySet, (id) => ({ nums: [id], json: { type: desc.type, count: desc.count, label: desc.label } }), (id) => new BridgeQuerySet(this.conn, id, desc));
  }

  pushErrorScope(filter: GPUErrorFilter): void {
    const index = ERROR_FILTERS.indexOf(filter as ErrorFilter);
    if (index < 0) throw new TypeError(`pushErrorScope: unknown filter "${filter}"`);
    this.conn.enqueue(Op.PushErrorScope, { nums: [index] });
  }

  /** The host pops its scope at this point in the command stream; bridge-side errors (caps, bad ids) count too. */
  async popErrorScope(): Promise<GPUError | null> {
    const reply = await this.conn.call(Op.PopErrorScope, 'popErrorScope');
    const error = reply.json as { kind: ErrorFilter; message: string } | null | undefined;
    return error ? gpuError(error.kind, error.message) : null;
  }

  /** Frees the host's device and every object of this connection; `lost` resolves with reason `destroyed`. */
  destroy(): void {
    if (this.#isLost) return;
    this.conn.enqueue(Op.DestroyDevice);
    this.conn.close('the device was destroyed');
    this.#markLost('destroyed', 'device.destroy() was called');
  }

  /** Sends queued commands now, without waiting for a reply (WebGPU has no such call; useful before idling). */
  flush(): void {
    this.conn.flush();
  }
}

