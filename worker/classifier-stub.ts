/**
 * @module Which Classifier Durable Object answers: one per (model key, replica). Requests take the replicas of
 * their model in turn; one that meets a dead or hung GPU host (503 gpu_unavailable) is sent once more, to the
 * next replica, which runs on another host (serving-config.ts spreads them), before the client sees a 503.
 */
import type { ClassifyValue, ReplicaHealth, RpcResult } from '../durable-objects/protocol.ts';
import type { CropSpec } from '../images/index.ts';
import { gpuHostUrls, replicaCount, replicaName, type ReplicaRef } from '../durable-objects/serving-config.ts';
import type { Env } from './env.ts';

/**
 * Round robin per isolate, from a random start so that isolates do not all begin at replica 0. The Worker keeps
 * no shared state; over many isolates the turns even out, and each replica batches what reaches it.
 */
let turn = Math.floor(Math.random() * 0x10000);

function stub(env: Env, ref: ReplicaRef) {
  return env.CLASSIFIER.getByName(replicaName(ref));
}

/**
 * Per isolate and model: the crop its replicas take (their manifest's), asked once. A failed answer (model
 * missing, GPU-free checks failing) is not kept, so a model put later is picked up by the next request.
 */
const cropSpecs = new Map<string, Promise<RpcResult<CropSpec>>>();

export function cropSpecFor(env: Env, key: string): Promise<RpcResult<CropSpec>> {
  let spec = cropSpecs.get(key);
  if (!spec) {
    const ref = { key, replica: turn % replicaCount(env) };
    spec = stub(env, ref).cropSpec(ref);
    cropSpecs.set(key, spec);
    spec.then(
      (r) => !r.ok && cropSpecs.get(key) === spec && cropSpecs.delete(key),
      () => cropSpecs.get(key) === spec && cropSpecs.delete(key),
    );
  }
  return spec;
}

export async function classifyWith(env: Env, key: string, crop: Uint8Array, top: number): Promise<RpcResult<ClassifyValue>> {
  const replicas = replicaCount(env);
  const first = turn++ % replicas;
  const ref = { key, replica: first };
  const result = await stub(env, ref).classify(ref, crop, top);
  // The replica's manifest is not the one this isolate read (the model was put again): ask afresh next time.
  if (!result.ok && result.error.code === 'model_incompatible') cropSpecs.delete(key);
  // With one replica and one host there is nowhere else to go: a second try would only wait on the same host.
  if (result.ok || result.error.code !== 'gpu_unavailable' || (replicas === 1 && gpuHostUrls(env).length === 1)) return result;
  // With one replica this asks the same one again, which has moved on to the next live host.
  const retry = { key, replica: (first + 1) % replicas };
  return stub(env, retry).classify(retry, crop, top);
}

/** Every replica's health, in replica order. */
export function replicaHealth(env: Env, key: string): Promise<ReplicaHealth[]> {
  return Promise.all(
    Array.from({ length: replicaCount(env) }, (_, replica) => {
      const ref = { key, replica };
      return stub(env, ref).health(ref);
    }),
  );
}
