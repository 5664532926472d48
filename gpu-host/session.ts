/**
 * @module One client connection's GPU state: its Dawn device, its object table and error-scope mirror. Runs a
 * batch's commands in order; awaited commands reply when Dawn settles them. Nothing a client sends can throw
 * out of here: a bad command becomes an error reply or a WebGPU-style error (scope or uncaptured).
 */
import { ByteReader, readCommand, readHeader, type Command } from '../bridge/codec.ts';
import { ERROR_FILTERS, FrameKind, Op, PROTOCOL_VERSION, ReplyStatus, type ErrorFilter, type HostEvent, type WireError } from '../bridge/protocol.ts';
import type { DawnAdapter } from './dawn.ts';
import * as D from './descriptors.ts';
import { describeDevice } from './describe.ts';
import { ErrorScopeMirror } from './error-scopes.ts';
import { BridgeHostError, ObjectTable, type HostCaps } from './object-table.ts';
import { ReplySink } from './reply-sink.ts';

export class HostSession {
  readonly table: ObjectTable;
  readonly #dawn: DawnAdapter;
  readonly #log: (line: string) => void;
  readonly #replies: ReplySink;
  readonly #scopes = new ErrorScopeMirror();
  #device: GPUDevice | undefined;
  #deviceRequested = false;
  #closed = false;

  constructor(dawn: DawnAdapter, caps: HostCaps, send: (frame: Uint8Array) => void, log: (line: string) => void) {
    this.#dawn = dawn;
    this.table = new ObjectTable(caps);
    this.#replies = new ReplySink(send);
    this.#log = log;
  }

  /** Runs one client frame. Parse errors stop the frame and are reported as a protocol error event. */
  handleFrame(bytes: Uint8Array): void {
    const r = new ByteReader(bytes);
    try {
      const header = readHeader(r);
      if (header.version !== PROTOCOL_VERSION) throw new Error(`protocol version ${header.version}, host speaks ${PROTOCOL_VERSION}`);
      if (header.kind !== FrameKind.Batch) throw new Error(`expected a batch frame, got kind ${header.kind}`);
    } catch (e) {
      this.protocolError((e as Error).message);
      return;
    }
    while (r.remaining > 0) {
      let cmd: Command;
      try {
        cmd = readCommand(r);
      } catch (e) {
        this.protocolError(`malformed command: ${(e as Error).message}`);
        return;
      }
      this.#run(cmd);
    }
  }

  /** Reports a frame the host could not read; the connection stays open. */
  protocolError(message: string): void {
    this.#log(`protocol error: ${message}`);
    this.#event({ type: 'protocolError', message });
  }

  /** Frees every object and the device. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#replies.close();
    this.table.clear();
    this.#device?.destroy();
    this.#device = undefined;
  }

  #run(cmd: Command): void {
    try {
      this.#exec(cmd);
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      if (cmd.callId) {
        this.#reply(cmd.callId, ReplyStatus.Error, { message, kind: cmd.op === Op.CreateComputePipelineAsync ? 'pipeline' : undefined, reason: 'validation' } satisfies WireError);
        return;
      }
      this.#bridgeError(e instanceof BridgeHostError ? e.filter : 'validation', `${opName(cmd.op)}: ${message}`);
    }
  }

  /** A host-side refusal goes to the innermost matching error scope, else to the client as uncaptured. */
  #bridgeError(kind: ErrorFilter, message: string): void {
    if (!this.#scopes.capture(kind, message)) this.#event({ type: 'uncapturederror', error: { kind, message } });
  }

  #dev(): GPUDevice {
    if (!this.#device) throw new BridgeHostError('no device: requestDevice must succeed first');
    return this.#device;
  }

  #exec(cmd: Command): void {
    // Checked before anything starts a Dawn promise: a promise nobody awaits would reject unhandled.
    if (AWAITED.has(cmd.op) && !cmd.callId) throw new BridgeHostError(`${opName(cmd.op)} needs a call id`);
    const n = cmd.nums;
    const t = this.table;
    switch (cmd.op) {
      case Op.RequestDevice:
        return this.#requestDevice(cmd);
      case Op.CreateBuffer: {
        const [id, size, usage, mapped] = n;
        const device = this.#dev();
        if (!Number.isFinite(size) || size < 0) throw new BridgeHostError(`bad buffer size ${size}`);
        this.#create(id, 'buffer', () => device.createBuffer({ size, usage, mappedAtCreation: mapped === 1, label: D.label(cmd.json) }), size);
        if (mapped === 1) {
          const e = t.entry(id, 'buffer');
          e.mapped = { offset: 0, range: new Uint8Array((e.obj as GPUBuffer).getMappedRange()) };
        }
        return;
      }
      case Op.BufferDestroy: {
        const e = t.entry(n[0], 'buffer');
        (e.obj as GPUBuffer).destroy();
        t.remove(n[0]);
        return;
      }
      case Op.BufferMapAsync:
        return this.#mapAsync(cmd);
      case Op.BufferWriteMapped: {
        const e = t.entry(n[0], 'buffer');
        const m = e.mapped;
        const bin = cmd.bin ?? new Uint8Array(0);
        const at = n[1] - (m?.offset ?? 0);
        if (!m || at < 0 || at + bin.length > m.range.length) throw new BridgeHostError(`buffer ${n[0]} is not mapped over [${n[1]}, ${n[1] + bin.length})`);
        m.range.set(bin, at);
        return;
      }
      case Op.BufferUnmap: {
        const e = t.entry(n[0], 'buffer');
        e.mapped = undefined;
        (e.obj as GPUBuffer).unmap();
        return;
      }
      case Op.WriteBuffer: {
        const bin = cmd.bin ?? new Uint8Array(0);
        this.#dev().queue.writeBuffer(t.get<GPUBuffer>(n[0], 'buffer'), n[1], bin, 0, bin.length);
        return;
      }
      case Op.Submit: {
        const buffers = n.map((id) => t.get<GPUCommandBuffer>(id, 'commandBuffer'));
        for (const id of n) t.remove(id);
        this.#dev().queue.submit(buffers);
        return;
      }
      case Op.OnSubmittedWorkDone:
        return this.#await(cmd, this.#dev().queue.onSubmittedWorkDone(), () => undefined);
      case Op.CreateShaderModule:
        return this.#create(n[0], 'module', () => this.#dev().createShaderModule(D.shaderModule(cmd.json)));
      case Op.GetCompilationInfo: {
        const module = t.get<GPUShaderModule>(n[0], 'module');
        return this.#await(cmd, module.getCompilationInfo(), (info) => ({
          messages: info.messages.map((m) => ({ message: m.message, type: m.type, lineNum: m.lineNum, linePos: m.linePos, offset: m.offset, length: m.length })),
        }));
      }
      case Op.CreateComputePipeline:
        return this.#create(n[0], 'pipeline', () => this.#dev().createComputePipeline(D.computePipeline(cmd.json, t)));
      case Op.CreateComputePipelineAsync:
        return this.#createPipelineAsync(cmd);
      case Op.GetBindGroupLayout:
        return this.#create(n[2], 'bindGroupLayout', () => t.get<GPUComputePipeline>(n[0], 'pipeline').getBindGroupLayout(n[1]));
      case Op.CreateBindGroupLayout:
        return this.#create(n[0], 'bindGroupLayout', () => this.#dev().createBindGroupLayout(D.bindGroupLayout(cmd.json)));
      case Op.CreatePipelineLayout:
        return this.#create(n[0], 'pipelineLayout', () => this.#dev().createPipelineLayout(D.pipelineLayout(cmd.json, t)));
      case Op.CreateBindGroup:
        return this.#create(n[0], 'bindGroup', () => this.#dev().createBindGroup(D.bindGroup(cmd.json, t)));
      case Op.CreateCommandEncoder:
        return this.#create(n[0], 'encoder', () => this.#dev().createCommandEncoder({ label: D.label(cmd.json) }));
      case Op.BeginComputePass:
        return this.#create(n[1], 'pass', () => t.get<GPUCommandEncoder>(n[0], 'encoder').beginComputePass(D.computePass(cmd.json, t)));
      case Op.SetPipeline:
        return t.get<GPUComputePassEncoder>(n[0], 'pass').setPipeline(t.get<GPUComputePipeline>(n[1], 'pipeline'));
      case Op.SetBindGroup: {
        const group = n[2] === 0 ? null : t.get<GPUBindGroup>(n[2], 'bindGroup');
        return t.get<GPUComputePassEncoder>(n[0], 'pass').setBindGroup(n[1], group, n.slice(3));
      }
      case Op.Dispatch:
        return t.get<GPUComputePassEncoder>(n[0], 'pass').dispatchWorkgroups(n[1], n[2], n[3]);
      case Op.DispatchIndirect:
        return t.get<GPUComputePassEncoder>(n[0], 'pass').dispatchWorkgroupsIndirect(t.get<GPUBuffer>(n[1], 'buffer'), n[2]);
      case Op.PassEnd: {
        const pass = t.get<GPUComputePassEncoder>(n[0], 'pass');
        t.remove(n[0]);
        return pass.end();
      }
      case Op.CopyBufferToBuffer:
        return t.get<GPUCommandEncoder>(n[0], 'encoder').copyBufferToBuffer(t.get<GPUBuffer>(n[1], 'buffer'), n[2], t.get<GPUBuffer>(n[3], 'buffer'), n[4], n[5]);
      case Op.ClearBuffer:
        return t.get<GPUCommandEncoder>(n[0], 'encoder').clearBuffer(t.get<GPUBuffer>(n[1], 'buffer'), n[2], n[3] < 0 ? undefined : n[3]);
      case Op.ResolveQuerySet:
        return t.get<GPUCommandEncoder>(n[0], 'encoder').resolveQuerySet(t.get<GPUQuerySet>(n[1], 'querySet'), n[2], n[3], t.get<GPUBuffer>(n[4], 'buffer'), n[5]);
      case Op.Finish: {
        const encoder = t.get<GPUCommandEncoder>(n[0], 'encoder');
        t.remove(n[0]);
        return this.#create(n[1], 'commandBuffer', () => encoder.finish());
      }
      case Op.PushErrorScope: {
        const filter = ERROR_FILTERS[n[0]];
        if (!filter) throw new BridgeHostError(`unknown error filter ${n[0]}`);
        this.#dev().pushErrorScope(filter);
        this.#scopes.push(filter);
        return;
      }
      case Op.PopErrorScope: {
        const scope = this.#scopes.pop();
        if (!scope) {
          this.#reply(cmd.callId, ReplyStatus.Error, { message: 'popErrorScope: the error scope stack is empty', kind: 'operation', reason: 'OperationError' } satisfies WireError);
          return;
        }
        return this.#await(cmd, this.#dev().popErrorScope(), (err) => (err ? { kind: scope.filter, message: err.message } : scope.error));
      }
      case Op.DestroyDevice:
        this.table.clear();
        this.#device?.destroy();
        return;
      case Op.Release:
        for (const id of n) this.table.remove(id);
        return;
      case Op.CreateQuerySet:
        return this.#create(n[0], 'querySet', () => this.#dev().createQuerySet(D.querySet(cmd.json)));
      case Op.QuerySetDestroy: {
        t.get<GPUQuerySet>(n[0], 'querySet').destroy();
        t.remove(n[0]);
        return;
      }
      default:
        throw new BridgeHostError(`unknown opcode ${cmd.op}`);
    }
  }

  /**
   * Creates an object (a buffer of `bytes`, counted against the cap) under a client id; a failed creation
   * leaves an invalid entry, as WebGPU's invalid objects.
   */
  #create(id: number, kind: Parameters<ObjectTable['add']>[1], make: () => unknown, bytes = 0): void {
    try {
      this.table.reserve(id, bytes);
      this.table.add(id, kind, make(), bytes);
    } catch (e) {
      this.table.addInvalid(id, (e as Error).message);
      throw e;
    }
  }

  #await<T>(cmd: Command, promise: Promise<T>, toJson: (value: T) => unknown, toBin?: (value: T) => Uint8Array | undefined): void {
    const fail = (e: unknown): void =>
      this.#reply(cmd.callId, ReplyStatus.Error, { message: (e as Error)?.message ?? String(e), kind: 'operation', reason: (e as Error)?.name } satisfies WireError);
    promise.then((value) => {
      try {
        this.#reply(cmd.callId, ReplyStatus.Ok, toJson(value), toBin?.(value));
      } catch (e) {
        fail(e);
      }
    }, fail);
  }

  #requestDevice(cmd: Command): void {
    if (this.#deviceRequested) throw new BridgeHostError('adapter is "consumed": it has already been used to create a device');
    this.#deviceRequested = true;
    const desc = D.deviceDescriptor(cmd.json);
    const open = async (): Promise<GPUDevice> => {
      // A fresh adapter per connection: a Dawn adapter makes one device only.
      const adapter = await this.#dawn.gpu.requestAdapter({ featureLevel: this.#dawn.featureLevel, powerPreference: 'high-performance' });
      if (!adapter) throw new Error('the GPU host could not get an adapter');
      const device = await adapter.requestDevice(desc);
      if (this.#closed) {
        device.destroy();
        throw new Error('connection closed');
      }
      this.#device = device;
      device.addEventListener('uncapturederror', (ev) => {
        const error = (ev as GPUUncapturedErrorEvent).error;
        this.#event({ type: 'uncapturederror', error: { kind: errorKind(error), message: error.message } });
      });
      void device.lost.then((info) => {
        if (!this.#closed) this.#event({ type: 'lost', reason: info.reason ?? 'unknown', message: info.message });
      });
      return device;
    };
    this.#await(cmd, open(), (device) => describeDevice(device));
  }

  #mapAsync(cmd: Command): void {
    const [id, mode, offset, size] = cmd.nums;
    const e = this.table.entry(id, 'buffer');
    const buffer = e.obj as GPUBuffer;
    const done = buffer.mapAsync(mode, offset, size).then(() => {
      // Keep one full range: later write-backs (on unmap) go into it, avoiding overlapping getMappedRange calls.
      const range = new Uint8Array(buffer.getMappedRange(offset, size));
      e.mapped = { offset, range };
      return range;
    });
    // The reply carries the bytes for both modes: WebGPU maps MAP_WRITE buffers with their current contents.
    this.#await(cmd, done, () => undefined, (range) => range);
  }

  #createPipelineAsync(cmd: Command): void {
    const id = cmd.nums[0];
    this.table.reserve(id);
    const desc = D.computePipeline(cmd.json, this.table);
    // Hold the id while Dawn compiles so nothing else can take it.
    this.table.addInvalid(id, 'its createComputePipelineAsync has not finished');
    this.#dev()
      .createComputePipelineAsync(desc)
      .then(
        (pipeline) => {
          if (this.#closed) return;
          this.table.remove(id);
          this.table.add(id, 'pipeline', pipeline);
          this.#reply(cmd.callId, ReplyStatus.Ok);
        },
        (e: unknown) => {
          const err = e as { message?: string; reason?: string };
          this.#reply(cmd.callId, ReplyStatus.Error, { message: err?.message ?? String(e), kind: 'pipeline', reason: err?.reason ?? 'validation' } satisfies WireError);
        },
      );
  }

  #event(event: HostEvent): void {
    this.#replies.event(event);
  }

  #reply(callId: number, status: ReplyStatus, json?: unknown, bin?: Uint8Array): void {
    this.#replies.reply(callId, status, json, bin);
  }
}

const AWAITED = new Set<number>([Op.RequestDevice, Op.BufferMapAsync, Op.OnSubmittedWorkDone, Op.GetCompilationInfo, Op.CreateComputePipelineAsync, Op.PopErrorScope]);

function errorKind(error: GPUError): ErrorFilter {
  const name = error?.constructor?.name ?? '';
  if (name.includes('OutOfMemory')) return 'out-of-memory';
  if (name.includes('Internal')) return 'internal';
  return 'validation';
}

function opName(op: number): string {
  for (const [name, value] of Object.entries(Op)) if (value === op) return name;
  return `op ${op}`;
}
