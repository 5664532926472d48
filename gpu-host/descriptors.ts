/**
 * @module Turns the JSON descriptors of client commands into Dawn descriptors, resolving ids through the
 * connection's table. Only known fields are copied and each is type-checked: hostile JSON never reaches Dawn.
 */
import { BridgeHostError, type ObjectTable } from './object-table.ts';

type Json = Record<string, unknown>;

function record(v: unknown, what: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BridgeHostError(`${what} must be an object`);
  return v as Json;
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BridgeHostError(`${what} must be a finite number`);
  return v;
}

function optNum(v: unknown, what: string): number | undefined {
  return v === undefined || v === null ? undefined : num(v, what);
}

function optStr(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BridgeHostError(`${what} must be a string`);
  return v;
}

function list(v: unknown, what: string, max = 4096): unknown[] {
  if (!Array.isArray(v)) throw new BridgeHostError(`${what} must be an array`);
  if (v.length > max) throw new BridgeHostError(`${what} has ${v.length} entries (max ${max})`);
  return v;
}

export function label(json: unknown): string | undefined {
  return json && typeof json === 'object' ? optStr((json as Json).label, 'label') : undefined;
}

export function shaderModule(json: unknown): GPUShaderModuleDescriptor {
  const j = record(json, 'shader module descriptor');
  const code = optStr(j.code, 'code');
  if (code === undefined) throw new BridgeHostError('shader module descriptor needs code');
  return { code, label: optStr(j.label, 'label') };
}

export function computePipeline(json: unknown, table: ObjectTable): GPUComputePipelineDescriptor {
  const j = record(json, 'compute pipeline descriptor');
  const compute = record(j.compute, 'compute');
  let constants: Record<string, number> | undefined;
  if (compute.constants !== undefined && compute.constants !== null) {
    constants = {};
    for (const [k, v] of Object.entries(record(compute.constants, 'constants'))) constants[k] = num(v, `constant ${k}`);
  }
  return {
    label: optStr(j.label, 'label'),
    layout: j.layout === 'auto' ? 'auto' : table.get<GPUPipelineLayout>(num(j.layout, 'layout'), 'pipelineLayout'),
    compute: {
      module: table.get<GPUShaderModule>(num(compute.module, 'compute.module'), 'module'),
      entryPoint: optStr(compute.entryPoint, 'entryPoint'),
      constants,
    },
  };
}

const BUFFER_BINDING_TYPES = new Set(['uniform', 'storage', 'read-only-storage']);

export function bindGroupLayout(json: unknown): GPUBindGroupLayoutDescriptor {
  const j = record(json, 'bind group layout descriptor');
  const entries = list(j.entries, 'entries').map((raw, i) => {
    const e = record(raw, `entries[${i}]`);
    const entry: GPUBindGroupLayoutEntry = { binding: num(e.binding, 'binding'), visibility: num(e.visibility, 'visibility') };
    if (e.buffer !== undefined && e.buffer !== null) {
      const b = record(e.buffer, 'buffer');
      const type = optStr(b.type, 'buffer.type');
      if (type !== undefined && !BUFFER_BINDING_TYPES.has(type)) throw new BridgeHostError(`buffer.type "${type}" is not a buffer binding type`);
      entry.buffer = { type: type as GPUBufferBindingType | undefined, hasDynamicOffset: b.hasDynamicOffset === true, minBindingSize: optNum(b.minBindingSize, 'minBindingSize') };
    } else {
      throw new BridgeHostError(`entries[${i}]: the GPU host supports buffer bindings only`);
    }
    return entry;
  });
  return { label: optStr(j.label, 'label'), entries };
}

export function pipelineLayout(json: unknown, table: ObjectTable): GPUPipelineLayoutDescriptor {
  const j = record(json, 'pipeline layout descriptor');
  const layouts = list(j.bindGroupLayouts, 'bindGroupLayouts', 64).map((id) =>
    id === null ? null : table.get<GPUBindGroupLayout>(num(id, 'bind group layout id'), 'bindGroupLayout'),
  );
  return { label: optStr(j.label, 'label'), bindGroupLayouts: layouts as GPUBindGroupLayout[] };
}

export function bindGroup(json: unknown, table: ObjectTable): GPUBindGroupDescriptor {
  const j = record(json, 'bind group descriptor');
  const entries = list(j.entries, 'entries').map((raw, i) => {
    const e = record(raw, `entries[${i}]`);
    const r = record(e.resource, `entries[${i}].resource`);
    return {
      binding: num(e.binding, 'binding'),
      resource: { buffer: table.get<GPUBuffer>(num(r.buffer, 'resource.buffer'), 'buffer'), offset: optNum(r.offset, 'offset'), size: optNum(r.size, 'size') },
    };
  });
  return { label: optStr(j.label, 'label'), layout: table.get<GPUBindGroupLayout>(num(j.layout, 'layout'), 'bindGroupLayout'), entries };
}

export function computePass(json: unknown, table: ObjectTable): GPUComputePassDescriptor {
  if (json === undefined) return {};
  const j = record(json, 'compute pass descriptor');
  const desc: GPUComputePassDescriptor = { label: optStr(j.label, 'label') };
  if (j.timestampWrites !== undefined && j.timestampWrites !== null) {
    const t = record(j.timestampWrites, 'timestampWrites');
    desc.timestampWrites = {
      querySet: table.get<GPUQuerySet>(num(t.querySet, 'timestampWrites.querySet'), 'querySet'),
      beginningOfPassWriteIndex: optNum(t.beginningOfPassWriteIndex, 'beginningOfPassWriteIndex'),
      endOfPassWriteIndex: optNum(t.endOfPassWriteIndex, 'endOfPassWriteIndex'),
    };
  }
  return desc;
}

export function querySet(json: unknown): GPUQuerySetDescriptor {
  const j = record(json, 'query set descriptor');
  const type = optStr(j.type, 'type');
  if (type !== 'occlusion' && type !== 'timestamp') throw new BridgeHostError(`query set type "${type}" is unknown`);
  return { type, count: num(j.count, 'count'), label: optStr(j.label, 'label') };
}

export function deviceDescriptor(json: unknown): GPUDeviceDescriptor {
  const j = json === undefined ? {} : record(json, 'device descriptor');
  const requiredLimits: Record<string, number> = {};
  if (j.requiredLimits !== undefined) {
    for (const [k, v] of Object.entries(record(j.requiredLimits, 'requiredLimits'))) requiredLimits[k] = num(v, `requiredLimits.${k}`);
  }
  const requiredFeatures = j.requiredFeatures === undefined ? [] : list(j.requiredFeatures, 'requiredFeatures', 256).map((f) => optStr(f, 'feature') ?? '');
  return { label: optStr(j.label, 'label'), requiredLimits, requiredFeatures: requiredFeatures as GPUFeatureName[] };
}
