/** @module GET /healthz: GPU adapter and model state, 503 when either is unavailable. */
import { jsonResponse } from '../http/errors.ts';
import { classifierFor } from '../classifier-stub.ts';
import { GPU_RETRY_AFTER_S } from '../../durable-objects/errors.ts';
import type { Env } from '../env.ts';

export async function handleHealth(env: Env): Promise<Response> {
  const report = await classifierFor(env).health();
  return jsonResponse(report, report.ok ? 200 : 503, report.ok ? {} : { 'Retry-After': String(GPU_RETRY_AFTER_S) });
}
