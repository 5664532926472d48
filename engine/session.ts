/**
 * @module InferenceSession: the third of the engine's layers, a plan of a DeviceModel for one set of input
 * shapes. Building it plans memory, folds what the shapes fix, creates this plan's buffers (activations,
 * inputs, uniforms, readback), takes the weights from the DeviceModel (uploaded once per device), compiles
 * pipelines (cached per device), creates bind groups and does one warm-up run (a pipeline's first dispatch
 * compiles on some drivers). `run` then writes the inputs, records all dispatches in one compute pass, submits
 * once and reads all outputs back with one map.
 */
import { prepareModel, type PrepareOptions } from './prepare.ts';
import { DeviceModel, type DeviceModelOptions } from './device-model.ts';
import { buildPlan, defaultInputShape, type Plan } from './plan.ts';
import type { Dispatch, DispatchBinding, PlannedNode, StorageElement } from './kernel.ts';
import { constTensor, elementBytes, valuesOf, type ConstTensor, type DataType } from './graph.ts';
import { EngineError, GpuError, InvalidInputError, UnsupportedVariantError } from './errors.ts';
import { checkBindingSize, foldWorkgroups } from './gpu/limits.ts';
import { getPipeline } from './gpu/pipelines.ts';
import { createBuffer, uploadBuffer, writeBufferPadded } from './gpu/buffers.ts';
import { sizeOf } from './shape/broadcast.ts';

/** A plan's own options. */
export interface PlanSessionOptions {
  /** Shapes for inputs with symbolic dims (default: every unknown dim is 1). */
  inputShapes?: Record<string, number[]>;
  /** Run once at creation so first-dispatch shader compilation is not paid by the first request (default true). */
  warmup?: boolean;
}

/** Everything `InferenceSession.create(device, bytes, options)` does in one go. */
export interface SessionOptions extends PrepareOptions, DeviceModelOptions, PlanSessionOptions {}

/** The element types a feed may have, as typed arrays (bool as Uint8Array). */
export type Feed = Float32Array | Uint8Array | BigInt64Array | Int32Array;

/**
 * Plans a session keeps for distinct values of its host inputs (PreparedModel.hostInputs: a Reshape shape or
 * Gather indices fed at run time), least recently used dropped first. Each holds its own activations, so the
 * bound caps a session's memory at this many plans whatever values callers send.
 */
export const MAX_PLANS_PER_SESSION = 8;

export interface TensorMetadata {
  name: string;
  dims: number[];
  type: DataType;
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
  /** Bytes of weights on this device, shared by every plan of the DeviceModel: one copy whatever the batch sizes. */
  weightBytes: number;
  /** Bytes of the GPU buffers this plan owns: activations, inputs, uniforms, readback, data folded for its shapes. */
  planBytes: number;
  uploadBytesPerRun: number;
  readbackBytesPerRun: number;
  /** GPU buffers this session holds (with the weights when it owns its DeviceModel); 0 after dispose. */
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

/** Which element types a binding of each WGSL element type reads at run time. */
const READS: Record<StorageElement, readonly DataType[]> = {
  'f32': ['float32'],
  'vec4<f32>': ['float32'],
  'i32': ['int32'],
  'u32': ['uint8', 'bool', 'uint32'],
};

/** A constant's bytes as a binding of `element` sees them (1-byte types packed four to a u32). */
function constantData(t: ConstTensor, element: StorageElement): ArrayBufferView {
  switch (element) {
    case 'i32': return Int32Array.from(valuesOf(t));
    case 'u32': return elementBytes(t.dataType) === 1 ? Uint8Array.from(valuesOf(t)) : Uint32Array.from(valuesOf(t));
    default: return t.floats ?? Float32Array.from(valuesOf(t));
  }
}

/** Refuses, before any GPU work, a kernel binding that would read a run-time value of another element type. */
function checkBindingTypes(node: PlannedNode, dispatches: readonly Dispatch[], types: ReadonlyMap<string, DataType>, isConstant: (v: string) => boolean): void {
  for (const d of dispatches) {
    for (const b of d.bindings) {
      if (!('input' in b) && !('output' in b)) continue;
      const [what, index, value] = 'input' in b ? ['input', b.input, node.inputs[b.input]] : ['output', b.output, node.outputs[b.output]];
      const type = types.get(value) ?? 'float32';
      const element = b.type ?? 'f32';
      if (!isConstant(value) && !READS[element].includes(type)) {
        throw new UnsupportedVariantError(node.opType, node.name, `${what} ${index} ("${value}") is ${type} at run time; its kernel binding "${b.name}" reads ${element}`);
      }
    }
  }
}

const FEED_ARRAYS: Partial<Record<DataType, { name: string; is: (x: unknown) => boolean }>> = {
  float32: { name: 'Float32Array', is: (x) => x instanceof Float32Array },
  uint8: { name: 'Uint8Array', is: (x) => x instanceof Uint8Array },
  int64: { name: 'BigInt64Array', is: (x) => x instanceof BigInt64Array },
  int32: { name: 'Int32Array', is: (x) => x instanceof Int32Array },
  bool: { name: 'Uint8Array', is: (x) => x instanceof Uint8Array },
};

/** A host input's feed as the constant the planner folds with. */
function hostValue(type: DataType, dims: readonly number[], data: Feed): ConstTensor {
  return constTensor(type, dims, data instanceof BigInt64Array ? Array.from(data, Number) : data);
}

export class InferenceSession {
  readonly inputs: TensorMetadata[];
  readonly outputs: TensorMetadata[];
  /** Model metadata_props (e.g. `stand_in`). */
  readonly metadata: ReadonlyMap<string, string>;
  readonly device: GPUDevice;

  #stats: Omit<SessionStats, 'weightBytes' | 'liveBuffers'>;
  #buffers = new Set<GPUBuffer>();
  #storageBuffers: GPUBuffer[] = [];
  #dispatches: RecordedDispatch[] = [];
  #staging!: GPUBuffer;
  /** Where each graph input is written, fixed at build. */
  #inputWrites: { name: string; buffer: GPUBuffer; byteOffset: number }[] = [];
  /** Each graph output's copy into the staging buffer, fixed at build; constant outputs come from the CPU. */
  #outputCopies: { name: string; dims: number[]; buffer: GPUBuffer; byteOffset: number; stagingOffset: number; size: number }[] = [];
  #constantOutputs: { name: string; dims: number[]; data: Float32Array }[] = [];
  /** Bytes mapped from the staging buffer per run (the sum of output sizes, at least 16). */
  #readbackBytes = 16;
  #tail: Promise<unknown> = Promise.resolve();
  #disposed = false;
  /** Set when this session made its DeviceModel (the one-call `create(device, bytes)`) and so disposes it. */
  #ownsModel = false;
  #release: () => void;

  /**
   * Set on a session of a model with host inputs: it plans on first use of each distinct set of their values
   * (MAX_PLANS_PER_SESSION kept) and runs that plan; `plan` is then undefined.
   */
  #byValues?: { options: PlanSessionOptions; plans: Map<string, InferenceSession>; last?: InferenceSession };

  private constructor(
    /** The DeviceModel this plan belongs to: its weights, and the other plans on the same device. */
    readonly deviceModel: DeviceModel,
    private readonly plan: Plan | undefined,
    options: PlanSessionOptions = {},
  ) {
    this.device = deviceModel.device;
    const prepared = deviceModel.prepared;
    const producers = new Map(prepared.outputs.map((o) => [o.name, o.producer]));
    if (plan) {
      this.inputs = plan.inputs.map((i) => ({ name: i.name, dims: [...i.shape], type: i.dataType }));
      this.outputs = plan.outputs.map((o) => ({ name: o.name, dims: [...o.shape], type: 'float32', producer: producers.get(o.name) }));
    } else {
      // Output dims follow from the host inputs' values: each run's result carries them.
      this.#byValues = { options, plans: new Map() };
      this.inputs = prepared.inputs.map((v) => ({ name: v.name, dims: options.inputShapes?.[v.name] ?? defaultInputShape(v.dims), type: v.dataType }));
      this.outputs = prepared.outputs.map((o) => ({ name: o.name, dims: [], type: 'float32', producer: o.producer }));
    }
    this.metadata = deviceModel.prepared.metadata;
    this.#stats = {
      nodes: plan?.steps.length ?? 0,
      dispatches: 0,
      pipelines: 0,
      peakActivationBytes: plan?.peakActivationBytes ?? 0,
      totalActivationBytes: plan?.totalActivationBytes ?? 0,
      planBytes: 0,
      uploadBytesPerRun: this.inputs.reduce((a, i) => a + sizeOf(i.dims) * elementBytes(i.type), 0),
      readbackBytesPerRun: plan?.outputs.filter((o) => !o.constant).reduce((a, o) => a + sizeOf(o.shape) * 4, 0) ?? 0,
      kernels: {},
    };
    this.#release = deviceModel.adopt(this);
  }

  /**
   * A plan of `model` for one set of input shapes: costs its activations, uniforms and bind groups; the weights
   * are the DeviceModel's, shared with its other plans. Shape problems throw before any GPU object is created.
   * @example
   * const batch8 = await InferenceSession.create(onGpu, { inputShapes: { data: [8, 3, 224, 224] } });
   */
  static create(model: DeviceModel, options?: PlanSessionOptions): Promise<InferenceSession>;
  /**
   * Prepares `onnxBytes`, makes a DeviceModel of it on `device` and plans it, in one go; the session owns that
   * DeviceModel and disposes it with itself. Model problems (corrupt bytes, unsupported ops, bad shapes) throw
   * before any GPU object is created.
   * @example
   * const session = await InferenceSession.create(device, onnxBytes);
   * const { [session.outputs[0].name]: scores } = await session.run({ data: tensor });
   */
  static create(device: GPUDevice, onnxBytes: Uint8Array, options?: SessionOptions): Promise<InferenceSession>;
  static async create(target: DeviceModel | GPUDevice, bytesOrOptions?: Uint8Array | PlanSessionOptions, maybeOptions: SessionOptions = {}): Promise<InferenceSession> {
    if (target instanceof DeviceModel) return InferenceSession.#plan(target, (bytesOrOptions as PlanSessionOptions | undefined) ?? {});
    const options = maybeOptions;
    const model = new DeviceModel(target, prepareModel(bytesOrOptions as Uint8Array, options), options);
    try {
      const session = await InferenceSession.#plan(model, options);
      session.#ownsModel = true;
      return session;
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  static async #plan(model: DeviceModel, options: PlanSessionOptions, inputValues?: ReadonlyMap<string, ConstTensor>): Promise<InferenceSession> {
    if (model.disposed) throw new EngineError('disposed', 'The device model has been disposed');
    const { device, profile } = model;
    const prepared = model.prepared;
    if (prepared.hostInputs.size && !inputValues) return new InferenceSession(model, undefined, options);
    const plan = buildPlan(prepared, { inputShapes: options.inputShapes, inputValues, offsetAlignment: device.limits.minStorageBufferOffsetAlignment });
    const dispatchesPerStep = plan.steps.map((step) =>
      step.elided
        ? []
        : step.def.createDispatches!({ node: step.node, opset: prepared.opset, inputShapes: step.inputShapes, constants: step.constants, outputShapes: step.outputShapes, device: profile }),
    );
    const isConstant = (v: string) => prepared.constants.has(v) || plan.constants.has(v);
    plan.steps.forEach((step, k) => checkBindingTypes(step.node, dispatchesPerStep[k], prepared.types, isConstant));
    const session = new InferenceSession(model, plan);
    try {
      await session.#build(dispatchesPerStep);
      if (options.warmup ?? true) await session.run(Object.fromEntries(session.inputs.map((i) => [i.name, i.type === 'uint8' ? new Uint8Array(sizeOf(i.dims)) : new Float32Array(sizeOf(i.dims))])));
    } catch (e) {
      session.dispose();
      throw e;
    }
    return session;
  }

  get stats(): SessionStats {
    // A session planning per host-input values shows the plan of its latest run.
    const last = this.#byValues?.last;
    if (last) return last.stats;
    const weights = this.deviceModel.stats;
    return {
      ...this.#stats,
      kernels: { ...this.#stats.kernels },
      weightBytes: weights.weightBytes,
      liveBuffers: this.#buffers.size + (this.#ownsModel ? weights.weightBuffers : 0),
    };
  }

  #own(buffer: GPUBuffer): GPUBuffer {
    this.#buffers.add(buffer);
    this.#stats.planBytes += buffer.size;
    return buffer;
  }

  async #build(dispatchesPerStep: Dispatch[][]): Promise<void> {
    const { device } = this;
    const plan = this.plan!;
    const activationUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    device.pushErrorScope('validation');
    let compiled: { d: Dispatch; entries: GPUBindGroupEntry[]; pipeline: GPUComputePipeline }[];
    try {
      this.#storageBuffers = plan.storages.map((s, i) => this.#own(createBuffer(device, s.byteSize, activationUsage, `${s.kind}:${s.name ?? i}`)));
      this.#staging = this.#own(createBuffer(device, this.#stats.readbackBytesPerRun, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback'));
      this.#inputWrites = plan.inputs.map((input) => {
        const p = plan.placements.get(input.name)!;
        return { name: input.name, buffer: this.#storageBuffers[p.storage], byteOffset: p.byteOffset };
      });
      let stagingOffset = 0;
      for (const o of plan.outputs) {
        if (o.constant) {
          this.#constantOutputs.push({ name: o.name, dims: o.shape, data: Float32Array.from(o.constant.floats ?? []) });
          continue;
        }
        const p = plan.placements.get(o.value)!;
        this.#outputCopies.push({ name: o.name, dims: o.shape, buffer: this.#storageBuffers[p.storage], byteOffset: p.byteOffset, stagingOffset, size: p.byteSize });
        stagingOffset += p.byteSize;
      }
      this.#readbackBytes = Math.max(16, stagingOffset);

      const pending: Promise<{ d: Dispatch; entries: GPUBindGroupEntry[]; pipeline: GPUComputePipeline }>[] = [];
      plan.steps.forEach((step, k) => {
        const scratch = new Map<string, GPUBuffer>();
        for (const d of dispatchesPerStep[k]) {
          const entries = d.bindings.map((b, binding): GPUBindGroupEntry => ({ binding, resource: this.#resolveBinding(b, step.node.inputs, step.node.outputs, d.label, scratch) }));
          const kernel = d.label.split(':')[0];
          this.#stats.kernels[kernel] = (this.#stats.kernels[kernel] ?? 0) + 1;
          pending.push(getPipeline(device, d).then((pipeline) => ({ d, entries, pipeline })));
        }
      });
      compiled = await Promise.all(pending);
      this.#dispatches = compiled.map(({ d, entries, pipeline }) => ({
        label: d.label,
        family: d.family,
        pipeline,
        bindGroup: device.createBindGroup({ label: d.label, layout: pipeline.getBindGroupLayout(0), entries }),
        workgroups: foldWorkgroups(d.workgroups, device.limits),
      }));
    } finally {
      const error = await device.popErrorScope();
      if (error) throw new GpuError('creating buffers and bind groups', error.message);
    }
    this.#stats.dispatches = this.#dispatches.length;
    this.#stats.pipelines = new Set(compiled.map((c) => c.pipeline)).size;
  }

  /** A buffer for this plan alone (uniforms, small data, values folded for its shapes). */
  #upload(data: ArrayBufferView, usage: number, label: string): GPUBuffer {
    checkBindingSize(label, data.byteLength, this.device.limits);
    return this.#own(uploadBuffer(this.device, data, usage, label));
  }

  /** `scratch`: the step's scratch buffers by name, made on first use. */
  #resolveBinding(b: DispatchBinding, inputs: string[], outputs: string[], label: string, scratch: Map<string, GPUBuffer>): GPUBufferBinding {
    const prepared = this.deviceModel.prepared;
    if ('data' in b) return { buffer: this.#upload(b.data, GPUBufferUsage.STORAGE, `${label}:${b.name}`) };
    if ('scratch' in b) {
      if (!scratch.has(b.scratch)) {
        checkBindingSize(`${label}:${b.scratch}`, b.bytes, this.device.limits);
        scratch.set(b.scratch, this.#own(createBuffer(this.device, b.bytes, GPUBufferUsage.STORAGE, `${label}:${b.scratch}`)));
      }
      return { buffer: scratch.get(b.scratch)! };
    }
    if ('uniform' in b) return { buffer: this.#upload(b.uniform.data, GPUBufferUsage.UNIFORM, `${label}:${b.name}`) };
    if ('derived' in b) {
      const from = b.from.map((i) => inputs[i] ?? '');
      // Derived from weights only: once per device. From values folded for this plan's shapes: this plan's own.
      if (from.every((v) => !v || prepared.constants.has(v))) return { buffer: this.deviceModel.weight(`${b.derived}(${from.join(',')})`, b.compute) };
      return { buffer: this.#upload(b.compute(), GPUBufferUsage.STORAGE, `${label}:${b.derived}`) };
    }
    const value = 'input' in b ? inputs[b.input] : outputs[b.output];
    const placement = this.plan!.placements.get(value);
    if (placement) {
      const { byteOffset, byteSize } = b.range ?? { byteOffset: 0, byteSize: placement.byteSize };
      checkBindingSize(`${label} ${value}`, byteSize, this.device.limits);
      return { buffer: this.#storageBuffers[placement.storage], offset: placement.byteOffset + byteOffset, size: byteSize };
    }
    const element = b.type ?? 'f32';
    const weight = prepared.constants.get(value);
    if (weight) return { buffer: this.deviceModel.weight(`value:${value}:${element}`, () => constantData(weight, element)) };
    const folded = this.plan!.constants.get(value);
    if (folded) return { buffer: this.#upload(constantData(folded, element), GPUBufferUsage.STORAGE, `${label}:${value}`) };
    throw new EngineError('internal', `${label}: value "${value}" has no placement`);
  }

  #validateFeeds(feeds: Readonly<Record<string, Feed>>): void {
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) {
        throw new InvalidInputError(`Unknown input "${name}"; the model's inputs are ${this.inputs.map((i) => `"${i.name}"`).join(', ')}`);
      }
    }
    for (const input of this.inputs) {
      const data = feeds[input.name];
      if (!data) throw new InvalidInputError(`Missing input "${input.name}" (${input.type}, shape [${input.dims.join(', ')}])`);
      const array = FEED_ARRAYS[input.type]!;
      if (!array.is(data)) throw new InvalidInputError(`Input "${input.name}" must be a ${array.name}`);
      const want = sizeOf(input.dims);
      if (data.length !== want) {
        throw new InvalidInputError(`Input "${input.name}" has ${data.length} values; shape [${input.dims.join(', ')}] needs ${want}`);
      }
    }
  }

  /**
   * Runs the model. Concurrent calls are queued: a session has one set of activation buffers, so runs never
   * overlap and one request's data can never leak into another's answer.
   */
  run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Tensor>> {
    if (this.#disposed) return Promise.reject(new EngineError('disposed', 'The session has been disposed'));
    try {
      this.#validateFeeds(feeds);
    } catch (e) {
      return Promise.reject(e);
    }
    const result = this.#tail.then(() => (this.#byValues ? this.#runByValues(feeds) : this.#execute(feeds)));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Runs the plan for the host inputs' values in `feeds`, planning it on their first use. */
  async #runByValues(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Tensor>> {
    const byValues = this.#byValues!;
    const host = this.inputs.filter((i) => this.deviceModel.prepared.hostInputs.has(i.name));
    const key = JSON.stringify(host.map((i) => [i.name, Array.from(feeds[i.name], String)]));
    let session = byValues.plans.get(key);
    if (session) byValues.plans.delete(key); // re-inserted below: Map order is recency order
    else {
      const values = new Map(host.map((i) => [i.name, hostValue(i.type, i.dims, feeds[i.name])]));
      session = await InferenceSession.#plan(this.deviceModel, { ...byValues.options, warmup: false }, values);
      if (byValues.plans.size >= MAX_PLANS_PER_SESSION) {
        const [oldest, evicted] = byValues.plans.entries().next().value!;
        byValues.plans.delete(oldest);
        evicted.dispose();
      }
    }
    byValues.plans.set(key, session);
    byValues.last = session;
    return session.run(Object.fromEntries(session.inputs.map((i) => [i.name, feeds[i.name]])));
  }

  async #execute(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Tensor>> {
    const lost = this.deviceModel.lost;
    if (lost) throw new GpuError('run', `the GPU device was lost (${lost}); create a new session`);
    if (this.#disposed) throw new EngineError('disposed', 'The session has been disposed');
    const { device } = this;
    for (const w of this.#inputWrites) writeBufferPadded(device, w.buffer, w.byteOffset, feeds[w.name]);
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
      const gone = this.deviceModel.lost;
      throw new GpuError('reading results', gone ? `the GPU device was lost (${gone})` : (e as Error).message);
    }
    const bytes = this.#staging.getMappedRange(0, this.#readbackBytes);
    const result: Record<string, Tensor> = {};
    for (const c of this.#outputCopies) result[c.name] = { data: new Float32Array(bytes.slice(c.stagingOffset, c.stagingOffset + c.size)), dims: [...c.dims] };
    this.#staging.unmap();
    for (const c of this.#constantOutputs) result[c.name] = { data: c.data.slice(), dims: [...c.dims] };
    return result;
  }

  /** Per-dispatch GPU work list, for profiling tools (bench). */
  get dispatchList(): readonly { label: string; family: string }[] {
    return this.#dispatches.map((d) => ({ label: d.label, family: d.family }));
  }

  /**
   * Frees the GPU buffers this plan created; the weights stay with the DeviceModel for its other plans (unless
   * this session made its own DeviceModel, which it then disposes). Pipelines stay in the per-device cache.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#release();
    for (const b of this.#buffers) b.destroy();
    this.#buffers.clear();
    this.#storageBuffers = [];
    this.#inputWrites = [];
    this.#outputCopies = [];
    this.#dispatches = [];
    for (const plan of this.#byValues?.plans.values() ?? []) plan.dispose();
    this.#byValues?.plans.clear();
    if (this.#ownsModel) this.deviceModel.dispose();
  }
}
