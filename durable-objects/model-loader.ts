/**
 * @module Loads a classifier in two steps. `readModel` takes the model, its manifest and labels from R2 and
 * prepares the model once (parse, optimize, the NormalizeImage node that takes the uint8 crop, input checks):
 * no GPU involved, kept for the Durable Object's lifetime. `openRuntime` puts that prepared model on one GPU
 * host (device, weights once, a plan per batch size, batcher). Losing a host drops only its runtime; a replica
 * that moves to another host runs the second step again with the same source, never re-reading R2.
 */
import { DeviceModel, EngineError, InferenceSession, openDevice as openInferenceDevice, prepareModel, withImageInput, type PreparedModel } from '../engine/index.ts';
import type { ValueInfo } from '../engine/graph.ts';
import { fallbackLabel, parseLabels, type Label } from './labels.ts';
import { gpuFor, type GpuHostConfig } from './gpu-source.ts';
import { gpuUnavailable, HostFailure, modelUnavailable, ServiceError } from './errors.ts';
import type { GpuReport, LoaderStats } from './protocol.ts';
import type { CropSpec } from '../images/index.ts';
import { Batcher } from './batcher.ts';
import { BatchedSessions } from './batched-sessions.ts';
import { DEFAULT_MANIFEST, inputDims, ManifestError, manifestKey, parseManifest, type ModelManifest } from './manifest.ts';

export interface ModelConfig extends GpuHostConfig {
  MODEL_BUCKET: R2Bucket;
  LABELS_KEY: string;
  /** Largest dynamic batch (default 8; 1 turns batching off). */
  MAX_BATCH?: string;
  /** Milliseconds to wait for more requests before a batch starts (default 0: never delay a lone request). */
  BATCH_WINDOW_MS?: string;
}

/** A model as stored in R2, checked and prepared once; not on any GPU. */
export interface ModelSource {
  key: string;
  sha256: string;
  manifest: ModelManifest;
  /** From the manifest's label file or LABELS_KEY; empty when none is stored. */
  labels: Label[];
  /** The model with a uint8 [N, size, size, 3] input normalized on the GPU per the manifest. */
  prepared: PreparedModel;
  /** That uint8 input's name. */
  input: string;
  standIn: boolean;
  /** The first output is already a probability distribution (manifest "output", else a final Softmax). */
  outputIsProbability: boolean;
}

/** A prepared model on one GPU host, ready to classify. */
export interface HostRuntime {
  url: string;
  source: ModelSource;
  device: GPUDevice;
  gpu: GpuReport;
  /** The weights on this host's device, shared by every batch plan. */
  deviceModel: DeviceModel;
  /** One per output class: the label file's, else a fallback. */
  labels: Label[];
  /** Queues crops and runs them in batches on `sessions`. */
  batcher: Batcher<Uint8Array, Float32Array>;
  sessions: BatchedSessions;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const PUT_HINT = 'Put a valid one with `npm run model:put -- <file.onnx> --key <key> [--manifest <file.json>]`.';

async function readManifest(config: ModelConfig, key: string): Promise<ModelManifest> {
  const object = await config.MODEL_BUCKET.get(manifestKey(key));
  if (!object) return DEFAULT_MANIFEST;
  try {
    return parseManifest(await object.text(), `The manifest "${manifestKey(key)}"`);
  } catch (e) {
    if (e instanceof ManifestError) throw modelUnavailable('model_invalid', `${e.message} ${PUT_HINT}`);
    throw e;
  }
}

/** The graph input takes one image as the manifest describes it (a symbolic batch dim is fine: batches use it). */
function checkInput(key: string, model: PreparedModel, m: ModelManifest): ValueInfo {
  const want = inputDims(m);
  const input = model.inputs.length === 1 ? model.inputs[0] : undefined;
  const fits = (d: number | string, i: number) => d === want[i] || (i === 0 && typeof d === 'string');
  if (input && (m.input === undefined || m.input === input.name) && input.dims.length === 4 && input.dims.every(fits)) return input;
  const wanted = `${m.input ? `input "${m.input}" ` : ''}${want.join('x')} (${m.layout})`;
  throw modelUnavailable('model_incompatible', `The model "${key}" takes ${model.inputs.map((i) => `${i.name} [${i.dims}]`).join(', ')}; the service feeds one image tensor, ${wanted}. Put an image classifier, or a manifest that describes its input, with \`npm run model:put\`.`);
}

/** Parses and checks the model, then puts NormalizeImage in front: model problems are found here, before any GPU. */
function prepare(key: string, bytes: Uint8Array, sha256: string, m: ModelManifest): { prepared: PreparedModel; input: string } {
  let model: PreparedModel;
  try {
    model = prepareModel(bytes);
  } catch (e) {
    if (e instanceof EngineError) throw modelUnavailable('model_invalid', `The model "${key}" (sha256 ${sha256.slice(0, 12)}...) cannot be used: ${e.message}. ${PUT_HINT}`);
    throw e;
  }
  const input = checkInput(key, model, m);
  // The manifest's scale is for pixels in [0, 1]; the crop holds bytes 0..255.
  const prepared = withImageInput(model, { input: input.name, layout: m.layout, mean: m.mean, std: m.std, scale: m.scale / 255 });
  return { prepared, input: prepared.inputs[0].name };
}

export async function readModel(config: ModelConfig, key: string, stats: LoaderStats): Promise<ModelSource> {
  stats.r2Reads++;
  const [object, manifest] = await Promise.all([config.MODEL_BUCKET.get(key), readManifest(config, key)]);
  if (!object) {
    throw modelUnavailable('model_missing', `No model is stored under "${key}" in the MODEL_BUCKET R2 bucket. Run \`npm run model:fetch\` (or \`npm run model:put -- <file.onnx> --key ${key}\`), then retry.`);
  }
  const labelsKey = manifest.labels ?? config.LABELS_KEY;
  const labelsObject = await config.MODEL_BUCKET.get(labelsKey);
  if (!labelsObject && manifest.labels) {
    throw modelUnavailable('model_missing', `The manifest of "${key}" names the label file "${labelsKey}", which is not stored. Put it with \`npm run model:put -- <file.onnx> --key ${key} --labels <file.txt>\`.`);
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  const { prepared, input } = prepare(key, bytes, sha256, manifest);
  const output = prepared.outputs[0];
  return {
    key,
    sha256,
    manifest,
    labels: labelsObject ? parseLabels(await labelsObject.text()) : [],
    prepared,
    input,
    standIn: prepared.metadata.get('stand_in') === 'true',
    outputIsProbability: manifest.output ? manifest.output === 'probabilities' : output.producer === 'Softmax',
  };
}

/** What the Worker must send this model: the resize target and crop side of its manifest. */
export function cropSpecOf(source: ModelSource): CropSpec {
  return { resize: source.manifest.resize, crop: source.manifest.size };
}

/** True when the device's connection to its host is gone (not a destroy() of ours). */
async function connectionLost(device: GPUDevice): Promise<boolean> {
  // `lost` resolves in the same turn that fails the pending calls; one timer turn later it has settled if it will.
  const tick = new Promise<false>((resolve) => setTimeout(() => resolve(false), 0));
  return Promise.race([device.lost.then((info) => info.reason !== 'destroyed'), tick]);
}

async function openDevice(url: string, config: ModelConfig): Promise<{ device: GPUDevice; gpu: GpuReport }> {
  try {
    const adapter = await gpuFor(url, config).requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter');
    const device = await openInferenceDevice(adapter);
    const info = adapter.info;
    return { device, gpu: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description } };
  } catch (e) {
    throw new HostFailure(url, (e as Error).message);
  }
}

/** Puts `source` on the GPU host at `url`. A HostFailure means the host, not the model, failed. */
export async function openRuntime(source: ModelSource, url: string, config: ModelConfig, stats: LoaderStats): Promise<HostRuntime> {
  stats.loads++;
  const { key, sha256, manifest } = source;
  const { device, gpu } = await openDevice(url, config);
  const deviceModel = new DeviceModel(device, source.prepared);
  let session: InferenceSession;
  try {
    stats.sessionBuilds++;
    session = await InferenceSession.create(deviceModel, { inputShapes: { [source.input]: [1, manifest.size, manifest.size, 3] } });
  } catch (e) {
    const lost = await connectionLost(device);
    deviceModel.dispose();
    device.destroy();
    if (lost) throw new HostFailure(url, `the connection was lost while building the model (${(e as Error).message})`);
    if (e instanceof EngineError && e.code !== 'gpu_error') {
      throw modelUnavailable('model_invalid', `The model "${key}" (sha256 ${sha256.slice(0, 12)}...) cannot be used: ${e.message}. ${PUT_HINT}`);
    }
    throw e instanceof ServiceError ? e : gpuUnavailable(`building the model on the GPU failed (${(e as Error).message})`);
  }
  const classes = session.outputs[0].dims.reduce((a, b) => a * b, 1);
  const sessions = new BatchedSessions(deviceModel, session, Number(config.MAX_BATCH ?? 8) || 1);
  // In the background: the first request need not wait for the batch plans, and failures fall back to size 1.
  void sessions.prepare();
  const batcher = new Batcher(sessions, { maxBatch: sessions.maxBatch, windowMs: Number(config.BATCH_WINDOW_MS ?? 0) || 0 });
  return {
    url,
    source,
    device,
    gpu,
    deviceModel,
    labels: Array.from({ length: classes }, (_, i) => source.labels[i] ?? fallbackLabel(i)),
    batcher,
    sessions,
  };
}

/** Frees the runtime's GPU state (its plans and weights) once the requests already queued on it have run. */
export async function closeRuntime(runtime: HostRuntime): Promise<void> {
  await runtime.batcher.idle();
  runtime.deviceModel.dispose();
  runtime.device.destroy();
}
