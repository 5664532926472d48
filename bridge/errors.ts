/**
 * @module Error objects the bridge hands to WebGPU callers. workerd has no GPUValidationError etc., so these
 * stand in with the same names and `message`, which is all the engine reads.
 */
import type { ErrorFilter, WireError } from './protocol.ts';

class BridgeGPUError extends Error {
  constructor(message: string, name: string) {
    super(message);
    this.name = name;
  }
}

const NAMES: Record<ErrorFilter, string> = {
  validation: 'GPUValidationError',
  'out-of-memory': 'GPUOutOfMemoryError',
  internal: 'GPUInternalError',
};

/** The GPUError a popErrorScope / uncapturederror reports, named after its real class. */
export function gpuError(kind: ErrorFilter, message: string): GPUError {
  return new BridgeGPUError(message, NAMES[kind] ?? 'GPUError') as unknown as GPUError;
}

/** A DOMException-like error (`OperationError`, `AbortError`) as thrown by real WebGPU for misuse. */
export function operationError(message: string, name = 'OperationError'): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** What a rejected awaited call throws: createComputePipelineAsync gets a GPUPipelineError-like error. */
export function errorFromWire(w: WireError | undefined, what: string): Error {
  const message = w?.message ?? `${what} failed on the GPU host`;
  if (w?.kind === 'pipeline') {
    const e = new Error(message) as Error & { reason: string };
    e.name = 'GPUPipelineError';
    e.reason = w.reason ?? 'validation';
    return e;
  }
  if (w?.kind === 'operation') return operationError(message, w.reason ?? 'OperationError');
  return new Error(message);
}

export function connectionLost(detail: string): Error {
  const e = new Error(`GPU host connection lost: ${detail}`);
  e.name = 'GPUHostConnectionError';
  return e;
}
