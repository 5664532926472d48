/**
 * @module InferenceSession: an ONNX model compiled for one GPUDevice.
 *
 * `create` does everything that can be done once: parse, validate (before touching the GPU), rewrite,
 * plan memory, upload weights, compile pipelines, create bind groups, and one warm-up run (a pipeline's first
 * dispatch compiles on some drivers). `run` then writes the inputs, records all dispatches in one compute
 * pass, submits once and reads all outputs back with one map.
 */
import { KERNELS } from '../shaders/registry.ts';
import { parseModel } from './onnx/parse.ts';
import { optimize } from './optimize.ts';
import { buildPlan, type Plan } from './plan.ts';
import type { BindingSource, DeviceProfile, Dispatch, OpDefinition } from './kernel.ts';
import { EngineError, GpuError, InvalidInputError } from './errors.ts';
import { checkBindingSize, foldWorkgroups } from './gpu/limits.ts';
import { getPipeline } from './gpu/pipelines.ts';
import { isSoftwareAdapter } from './gpu/adapter.ts';
import { sizeOf } from './shape/broadcast.ts';

export interface SessionOptions {
  /** Kernels added to or replacing the built-in registry, keyed by ONNX op type. */
  kernels?: Readonly<Record<string, OpDefinition>>;
  /** Shapes for inputs with symbolic dims (default: every unknown dim is 1). */
  inputShapes?: Record<string, number[]>;
  /** Run once at creation so first-dispatch shader compilation is not paid by the first request (default true). */
  warmup?: boolean;
  /** Treat the device as a CPU rasteriser when choosing kernel variants (default: detected from adapter info). */
  software?: boolean;
}

export interface TensorMetadata {
  name: string;
  dims: number[];
  type: 'float32';
  /** For outputs: the ONNX op that produces it (e.g. `Softmax`, to know whether scores are probabilities). */
  producer?: string;
}

export interface Tensor {
  data: Float32Array;
  dims: number[];
}

export interface SessionStats {
  nodes: number;
  dispatches: number;
  pipelines: number;
  /** Bytes of activation buffers after liveness reuse. */
  peakActivationBytes: number;
  /** What activations would take without reuse. */
  totalActivationBytes: number;
  weightBytes: number;
  uploadBytesPerRun: number;
  readbackBytesPerRun: number;
  /** GPU buffers this session holds; 0 after dispose. */
  liveBuffers: number;
  /** Kernel label -> count, to see which kernel served each op. */
  kernels: Record<string, number>;
}

interface RecordedDispatch {
  label: string;
  family: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
}

function detectSoftware(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return info ? isSoftwareAdapter(info) : false;
}

export class InferenceSession {
  readonly inputs: TensorMetadata[];
  readonly outputs: TensorMetadata[];
  /** Model metadata_props (e.g. `stand_in`). */
  readonly metadata: ReadonlyMap<string, string>;
  readonly stats: SessionStats;

  #buffers = new Set<GPUBuffer>();
  #storageBuffers: GPUBuffer[] = [];
  #dispatches: RecordedDispatch[] = [];
  #staging!: GPUBuffer;
  /** Where each graph input is written, fixed at build. */
  #inputWrites: { name: string; buffer: GPUBuffer; byteOffset: number }[] = [];
  /** Each graph output's copy into the staging buffer, fixed at build. */
  #outputCopies: { name: string; dims: number[]; buffer: GPUBuffer; byteOffset: number; stagingOffset: number; size: number }[] = [];
  /** Bytes mapped from the staging buffer per run (the sum of output sizes, at least 16). */
  #readbackBytes = 16;
  #tail: Promise<unknown> = Promise.resolve();
  #disposed = false;
  #lost: string | undefined;

  private constructor(
    readonly device: GPUDevice,
    private readonly plan: Plan,
    metadata: ReadonlyMap<string, string>,
  ) {
    this.inputs = plan.inputs.map((i) => ({ name: i.name, dims: [...i.shape], type: 'float32' }));
    const producers = new Map(plan.steps.flatMap((s) => s.node.outputs.map((o) => [o, s.node.opType] as const)));
    this.outputs = plan.outputs.map((o) => ({ name: o.name, dims: [...o.shape], type: 'float32', producer: producers.get(o.value) }));
    this.metadata = metadata;
    this.stats = {
      nodes: plan.steps.length,
      dispatches: 0,
      pipelines: 0,
      peakActivationBytes: plan.peakActivationBytes,
      totalActivationBytes: plan.totalActivationBytes,
      weightBytes: 0,
      uploadBytesPerRun: plan.inputs.reduce((a, i) => a + sizeOf(i.shape) * 4, 0),
      readbackBytesPerRun: plan.outputs.reduce((a, o) => a + sizeOf(o.shape) * 4, 0),
      liveBuffers: 0,
      kernels: {},
    };
    void device.lost.then((info) => {
      this.#lost = info.message || info.reason || 'device lost';
    });
  }

  /**
   * Compiles an ONNX model for `device`. Model problems (corrupt bytes, unsupported ops, bad shapes) throw
   * before any GPU object is created.
   * @example
   * const session = await InferenceSession.create(device, onnxBytes);
   * const { [session.outputs[0].name]: scores } = await session.run({ data: tensor });
   */
  static async create(device: GPUDevice, onnxBytes: Uint8Array, options: SessionOptions = {}): Promise<InferenceSession> {
    const kernels = { ...KERNELS, ...options.kernels };
    const graph = parseModel(onnxBytes);
    const optimized = optimize(graph, kernels);
    const plan = buildPlan(graph, optimized, kernels, {
      inputShapes: options.inputShapes,
      offsetAlignment: device.limits.minStorageBufferOffsetAlignment,
    });
    const profile: DeviceProfile = { limits: device.limits, software: options.software ?? detectSoftware(device) };
    const dispatchesPerStep = plan.steps.map((step) =>
      step.elided
        ? []
        : step.def.createDispatches({ node: step.node, opset: graph.opset, inputShapes: step.inputShapes, constants: step.constants, outputShapes: step.outputShapes, device: profile }),
    );
    const session = new InferenceSession(device, plan, graph.metadata);
    try {
      await session.#build(dispatchesPerStep, optimized.initializers);
      if (options.warmup ?? true) await session.run(Object.fromEntries(plan.inputs.map((i) => [i.name, new Float32Array(sizeOf(i.shape))])));
    } catch (e) {
      session.dispose();
      throw e;
    }
    return session;
  }

  #createBuffer(size: number, usage: number, label: string): GPUBuffer {
    // Bindings must be 4-byte multiples and non-empty.
    const buffer = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
    this.#buffers.add(buffer);
    return buffer;
  }

  #upload(data: Float32Array | Uint32Array, usage: number, label: string): GPUBuffer {
    const buffer = this.#createBuffer(data.byteLength, usage | GPUBufferUsage.COPY_DST, label);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  async #build(dispatchesPerStep: Dispatch[][], initializers: Map<string, { floats?: Float32Array; ints?: number[] }>): Promise<void> {
    const { device, plan } = this;
    const activationUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.#storageBuffers = plan.storages.map((s, i) => this.#createBuffer(s.byteSize, activationUsage, `${s.kind}:${s.name ?? i}`));
    this.#staging = this.#createBuffer(this.stats.readbackBytesPerRun, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
    this.#inputWrites = plan.inputs.map((input) => {
      const p = plan.placements.get(input.name)!;
      return { name: input.name, buffer: this.#storageBuffers[p.storage], byteOffset: p.byteOffset };
    });
    let stagingOffset = 0;
    this.#outputCopies = plan.outputs.map((o) => {
      const p = plan.placements.get(o.value)!;
      const copy = { name: o.name, dims: o.shape, buffer: this.#storageBuffers[p.storage], byteOffset: p.byteOffset, stagingOffset, size: p.byteSize };
      stagingOffset += p.byteSize;
      return copy;
    });
    this.#readbackBytes = Math.max(16, stagingOffset);
    const constantBuffers = new Map<string, GPUBuffer>();

    device.pushErrorScope('validation');
    const pending: Promise<{ d: Dispatch; entries: GPUBindGroupEntry[]; pipeline: GPUComputePipeline }>[] = [];
    plan.steps.forEach((step, k) => {
      for (const d of dispatchesPerStep[k]) {
        const entries = d.bindings.map((b, binding): GPUBindGroupEntry => ({ binding, resource: this.#resolveBinding(b, step.node.inputs, step.node.outputs, constantBuffers, initializers, d.label) }));
        const kernel = d.label.split(':')[0];
        this.stats.kernels[kernel] = (this.stats.kernels[kernel] ?? 0) + 1;
        pending.push(getPipeline(device, d).then((pipeline) => ({ d, entries, pipeline })));
      }
    });
    const compiled = await Promise.all(pending);
    this.#dispatches = compiled.map(({ d, entries, pipeline }) => ({
      label: d.label,
      family: d.family,
      pipeline,
      bindGroup: device.createBindGroup({ label: d.label, layout: pipeline.getBindGroupLayout(0), entries }),
      workgroups: foldWorkgroups(d.workgroups, device.limits),
    }));
    const error = await device.popErrorScope();
    if (error) throw new GpuError('creating buffers and bind groups', error.message);
    this.stats.dispatches = this.#dispatches.length;
    this.stats.pipelines = new Set(compiled.map((c) => c.pipeline)).size;
    this.stats.liveBuffers = this.#buffers.size;
  }

  #resolveBinding(
    b: BindingSource,
    inputs: string[],
    outputs: string[],
    constantBuffers: Map<string, GPUBuffer>,
    initializers: Map<string, { floats?: Float32Array; ints?: number[] }>,
    label: string,
  ): GPUBufferBinding {
    const limits = this.device.limits;
    if ('data' in b) {
      this.stats.weightBytes += b.data.byteLength;
      checkBindingSize(label, b.data.byteLength, limits);
      return { buffer: this.#upload(b.data, GPUBufferUsage.STORAGE, `${label}:data`) };
    }
    if ('uniform' in b) return { buffer: this.#upload(b.uniform, GPUBufferUsage.UNIFORM, `${label}:params`) };
    const value = 'input' in b ? inputs[b.input] : outputs[b.output];
    const placement = this.plan.placements.get(value);
    if (placement) {
      checkBindingSize(`${label} ${value}`, placement.byteSize, limits);
      return { buffer: this.#storageBuffers[placement.storage], offset: placement.byteOffset, size: placement.byteSize };
    }
    let buffer = constantBuffers.get(value);
    if (!buffer) {
      const t = initializers.get(value);
      if (!t) throw new EngineError('internal', `${label}: value "${value}" has no placement`);
      const data = t.floats ?? Float32Array.from(t.ints ?? []);
      this.stats.weightBytes += data.byteLength;
      checkBindingSize(`${label} ${value}`, data.byteLength, limits);
      buffer = this.#upload(data, GPUBufferUsage.STORAGE, `constant:${value}`);
      constantBuffers.set(value, buffer);
    }
    return { buffer };
  }

  #validateFeeds(feeds: Readonly<Record<string, Float32Array>>): void {
    for (const name of Object.keys(feeds)) {
      if (!this.plan.inputs.some((i) => i.name === name)) {
        throw new InvalidInputError(`Unknown input "${name}"; the model's inputs are ${this.plan.inputs.map((i) => `"${i.name}"`).join(', ')}`);
      }
    }
    for (const input of this.plan.inputs) {
      const data = feeds[input.name];
      if (!data) throw new InvalidInputError(`Missing input "${input.name}" (float32, shape [${input.shape.join(', ')}])`);
      if (!(data instanceof Float32Array)) throw new InvalidInputError(`Input "${input.name}" must be a Float32Array`);
      const want = sizeOf(input.shape);
      if (data.length !== want) {
        throw new InvalidInputError(`Input "${input.name}" has ${data.length} values; shape [${input.shape.join(', ')}] needs ${want}`);
      }
    }
  }

  /**
   * Runs the model. Concurrent calls are queued: a session has one set of activation buffers, so runs never
   * overlap and one request's data can never leak into another's answer.
   */
  run(feeds: Readonly<Record<string, Float32Array>>): Promise<Record<string, Tensor>> {
    if (this.#disposed) return Promise.reject(new EngineError('disposed', 'The session has been disposed'));
    try {
      this.#validateFeeds(feeds);
    } catch (e) {
      return Promise.reject(e);
    }
    const result = this.#tail.then(() => this.#execute(feeds));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async #execute(feeds: Readonly<Record<string, Float32Array>>): Promise<Record<string, Tensor>> {
    if (this.#lost) throw new GpuError('run', `the GPU device was lost (${this.#lost}); create a new session`);
    if (this.#disposed) throw new EngineError('disposed', 'The session has been disposed');
    const { device } = this;
    for (const w of this.#inputWrites) {
      let data = feeds[w.name];
      // dawn.node refuses views of a SharedArrayBuffer (e.g. threaded wasm memory): copy those.
      if (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) data = new Float32Array(data);
      device.queue.writeBuffer(w.buffer, w.byteOffset, data.buffer, data.byteOffset, data.byteLength);
    }
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of this.#dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
    pass.end();
    for (const c of this.#outputCopies) encoder.copyBufferToBuffer(c.buffer, c.byteOffset, this.#staging, c.stagingOffset, c.size);
    device.queue.submit([encoder.finish()]);
    try {
      await this.#staging.mapAsync(GPUMapMode.READ, 0, this.#readbackBytes);
    } catch (e) {
      throw new GpuError('reading results', this.#lost ? `the GPU device was lost (${this.#lost})` : (e as Error).message);
    }
    const bytes = this.#staging.getMappedRange(0, this.#readbackBytes);
    const result: Record<string, Tensor> = {};
    for (const c of this.#outputCopies) result[c.name] = { data: new Float32Array(bytes.slice(c.stagingOffset, c.stagingOffset + c.size)), dims: [...c.dims] };
    this.#staging.unmap();
    return result;
  }

  /** Per-dispatch GPU work list, for profiling tools (bench). */
  get dispatchList(): readonly { label: string; family: string }[] {
    return this.#dispatches.map((d) => ({ label: d.label, family: d.family }));
  }

  /** Frees every GPU buffer the session created. Pipelines stay in the per-device cache for other sessions. */
  dispose(): void {
    this.#disposed = true;
    for (const b of this.#buffers) b.destroy();
    this.#buffers.clear();
    this.#storageBuffers = [];
    this.#inputWrites = [];
    this.#outputCopies = [];
    this.#dispatches = [];
    this.stats.liveBuffers = 0;
  }
}
