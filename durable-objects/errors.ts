/** @module Errors the Durable Object reports to the Worker, each with its HTTP status and code. */
import type { ServiceErrorBody } from './protocol.ts';

export class ServiceError extends Error {
  constructor(readonly body: ServiceErrorBody) {
    super(body.message);
    this.name = 'ServiceError';
  }
}

/** Seconds a client should wait before retrying when the GPU host is down or restarting. */
export const GPU_RETRY_AFTER_S = 5;
/** Seconds to wait when no usable model is stored: someone has to put one first. */
const MODEL_RETRY_AFTER_S = 30;

function gpuUnavailableBody(detail: string): ServiceErrorBody {
  return {
    status: 503,
    code: 'gpu_unavailable',
    message: `The GPU is not available: ${detail}. Is the GPU host running (npm run gpu-host, or npm start)?`,
    retryAfter: GPU_RETRY_AFTER_S,
  };
}

export function gpuUnavailable(detail: string): ServiceError {
  return new ServiceError(gpuUnavailableBody(detail));
}

/**
 * The GPU host at `url` could not be reached or its connection was lost: the host, not the model or the
 * request, is at fault, so the caller marks it down and tries another. Answers like gpuUnavailable.
 */
export class HostFailure extends ServiceError {
  constructor(
    readonly url: string,
    readonly detail: string,
  ) {
    super(gpuUnavailableBody(detail));
    this.name = 'HostFailure';
  }
}

export function modelUnavailable(code: 'model_missing' | 'model_invalid' | 'model_incompatible', message: string): ServiceError {
  return new ServiceError({ status: 503, code, message, retryAfter: MODEL_RETRY_AFTER_S });
}

/** A crop of another size than the model's manifest asks for: the Worker asked before the manifest changed. */
export function cropMismatch(key: string, bytes: number, size: number): ServiceError {
  return modelUnavailable('model_incompatible', `The crop sent for "${key}" is ${bytes} bytes; the model takes ${size}x${size} RGB crops (${size * size * 3} bytes), so its manifest changed since the Worker read it. Retry: the Worker asks again.`);
}
