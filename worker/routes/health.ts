/** @module GET /healthz: every model's replicas and every GPU host (worker/health-report.ts); 503 while not ok. */
import { jsonResponse } from '../http/errors.ts';
import { replicaHealth } from '../classifier-stub.ts';
import { serviceHealth } from '../health-report.ts';
import { GPU_RETRY_AFTER_S } from '../../durable-objects/errors.ts';
import { HOST_DIRECTORY_NAME } from '../../durable-objects/host-directory.ts';
import { gpuHostUrls, servedModels } from '../../durable-objects/serving-config.ts';
import type { HostState } from '../../durable-objects/host-table.ts';
import type { Env } from '../env.ts';

async function hostStates(env: Env): Promise<HostState[]> {
  try {
    return await env.HOST_DIRECTORY.getByName(HOST_DIRECTORY_NAME).status();
  } catch (e) {
    console.error('/healthz: the host directory did not answer', e);
    return gpuHostUrls(env).map((url) => ({ url, ok: false, error: 'the host directory did not answer', retryAt: 0 }));
  }
}

export async function handleHealth(env: Env): Promise<Response> {
  const [models, hosts] = await Promise.all([
    Promise.all(servedModels(env).map(async (key) => ({ key, replicas: await replicaHealth(env, key) }))),
    hostStates(env),
  ]);
  const report = serviceHealth(models, hosts);
  return jsonResponse(report, report.ok ? 200 : 503, report.ok ? {} : { 'Retry-After': String(GPU_RETRY_AFTER_S) });
}
