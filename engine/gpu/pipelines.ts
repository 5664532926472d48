/**
 * @module Compute pipelines, compiled once per device for each (WGSL, entry point, constants). Every creation is
 * wrapped in a validation error scope so a bad kernel fails at session creation with the compiler's message,
 * the kernel's source file and line, never later at dispatch.
 */
import { GpuError } from '../errors.ts';
import type { Dispatch } from '../kernel.ts';
import { shaderModule, type ShaderModule } from '../wgsl/module.ts';

const caches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

function cacheKey(d: Dispatch, code: string): string {
  const constants = d.constants ? Object.entries(d.constants).sort().map(([k, v]) => `${k}=${v}`).join(',') : '';
  return `${d.entryPoint ?? 'main'}|${constants}|${code}`;
}

/** One line per compiler error, `file:line:col: message`, with the line in the file it came from. */
function formatMessages(messages: readonly GPUCompilationMessage[], shader: ShaderModule): string {
  return messages
    .filter((m) => m.type === 'error')
    .map((m) => `${shader.where(m.lineNum)}:${m.linePos}: ${m.message}`)
    .join('\n');
}

async function compile(device: GPUDevice, d: Dispatch, shader: ShaderModule): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: shader.code, label: d.kernel.path });
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
    const compiler = formatMessages(info.messages, shader);
    const detail = compiler || (scoped?.message ?? (pipelineError as Error)?.message ?? 'unknown error');
    throw new GpuError(`compiling kernel ${d.label}`, detail);
  }
  return pipeline;
}

/** Returns the cached pipeline for this dispatch's shader, compiling it on first use. */
export function getPipeline(device: GPUDevice, d: Dispatch): Promise<GPUComputePipeline> {
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  const shader = shaderModule(d);
  const key = cacheKey(d, shader.code);
  let p = cache.get(key);
  if (!p) {
    p = compile(device, d, shader);
    cache.set(key, p);
    p.catch(() => cache.delete(key)); // a failed compile is retried by the next session, not cached
  }
  return p;
}
