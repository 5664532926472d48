/**
 * @module Compute pipelines, compiled once per device for each (WGSL, entry point, constants). Every creation is
 * wrapped in a validation error scope so a bad kernel fails at session creation with the compiler's message,
 * the kernel's source file and line, never later at dispatch.
 */
import { GpuError } from '../errors.ts';
import type { Dispatch } from '../kernel.ts';

const caches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

function cacheKey(d: Dispatch): string {
  const constants = d.constants ? Object.entries(d.constants).sort().map(([k, v]) => `${k}=${v}`).join(',') : '';
  return `${d.entryPoint ?? 'main'}|${constants}|${d.code}`;
}

function formatMessages(messages: readonly GPUCompilationMessage[], source: string): string {
  return messages
    .filter((m) => m.type === 'error')
    .map((m) => `${source}:${m.lineNum}:${m.linePos}: ${m.message}`)
    .join('\n');
}

async function compile(device: GPUDevice, d: Dispatch): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: d.code, label: d.source });
  let pipeline: GPUComputePipeline | undefined;
  let pipelineError: unknown;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: d.label,
      layout: 'auto',
      compute: { module, entryPoint: d.entryPoint ?? 'main', constants: d.constants },
    });
  } catch (e) {
    pipelineError = e;
  }
  const scoped = await device.popErrorScope();
  if (pipelineError || scoped || !pipeline) {
    const info = await module.getCompilationInfo();
    const compiler = formatMessages(info.messages, d.source);
    const detail = compiler || (scoped?.message ?? (pipelineError as Error)?.message ?? 'unknown error');
    throw new GpuError(`compiling kernel ${d.label}`, detail);
  }
  return pipeline;
}

/** Returns the cached pipeline for this dispatch's shader, compiling it on first use. */
export function getPipeline(device: GPUDevice, d: Dispatch): Promise<GPUComputePipeline> {
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  const key = cacheKey(d);
  let p = cache.get(key);
  if (!p) {
    p = compile(device, d);
    cache.set(key, p);
    p.catch(() => cache.delete(key)); // a failed compile is retried by the next session, not cached
  }
  return p;
}
