/**
 * @module Loads a classifier in two steps: `readModel` takes the model, its manifest and labels from R2 and
 * checks what can be checked without a GPU; `openRuntime` connects to one GPU host and compiles the model
 * there (device, sessions per batch size, batcher). A replica that moves to another host runs the second step
 * again with the same source.
 */
import { EngineError, InferenceSession, openDevice as openInferenceDevice } from '../engine/index.ts';
import { fallbackLabel, parseLabels, type Label } from './labels.ts';
import { gpuFor, type GpuHostConfig } from './gpu-source.ts';
import { gpuUnavailable, HostFailure, modelUnavailable, ServiceError } from './errors.ts';
import type { GpuReport, LoaderStats } from './protocol.ts';
import { INPUT_SIZE, RESIZE_SHORTER } from '../images/constants.ts';
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

/** A model as stored: what R2 holds under its key, checked, not yet on any GPU. */
export interface ModelSource {
  key: string;
  bytes: Uint8Array;
  sha256: string;
  manifest: ModelManifest;
  /** From the manifest's label file or LABELS_KEY; empty when none is stored. */
  labels: Label[];
}

/** A model compiled on one GPU host, ready to classify. */
export interface HostRuntime {
  url: string;
  source: ModelSource;
  device: GPUDevice;
  gpu: GpuReport;
  labels: Label[];
  standIn: boolean;
  /** The first output is already a probability distribution (manifest "output", else a final Softmax). */
  outputIsProbability: boolean;
  /** Queues requests and runs them in batches on `sessions`. */
  batcher: Batcher<Float32Array, Float32Array>;
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

/**
 * The preprocessing the Worker does today is the zoo's (resize 256, crop 224); a manifest asking for another
 * size is refused here, before any GPU work, rather than fed a tensor of the wrong size.
 */
function checkPreprocessing(key: string, m: ModelManifest): void {
  if (m.size === INPUT_SIZE && m.resize === RESIZE_SHORTER) return;
  throw modelUnavailable(
    'model_incompatible',
    `The manifest of "${key}" asks for a ${m.size}x${m.size} crop after resizing to ${m.resize}; the Worker prepares ${INPUT_SIZE}x${INPUT_SIZE} crops from ${RESIZE_SHORTER}. Put the model with a manifest of "size": ${INPUT_SIZE}, "resize": ${RESIZE_SHORTER} (\`npm run model:put\`).`,
  );
}

export async function readModel(config: ModelConfig, key: string, stats: LoaderStats): Promise<ModelSource> {
  stats.r2Reads++;
  const [object, manifest] = await Promise.all([config.MODEL_BUCKET.get(key), readManifest(config, key)]);
  if (!object) {
    throw modelUnavailable('model_missing', `No model is stored under "${key}" in the MODEL_BUCKET R2 bucket. Run \`npm run model:fetch\` (or \`npm run model:put -- <file.onnx> --key ${key}\`), then retry.`);
  }
  checkPreprocessing(key, manifest);
  const labelsKey = manifest.labels ?? config.LABELS_KEY;
  const labelsObject = await config.MODEL_BUCKET.get(labelsKey);
  if (!labelsObject && manifest.labels) {
    throw modelUnavailable('model_missing', `The manifest of "${key}" names the label file "${labelsKey}", which is not stored. Put it with \`npm run model:put -- <file.onnx> --key ${key} --labels <file.txt>\`.`);
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { key, bytes, sha256: await sha256Hex(bytes), manifest, labels: labelsObject ? parseLabels(await labelsObject.text()) : [] };
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

/** Compiles `source` on the GPU host at `url`. A HostFailure means the host, not the model, failed. */
export async function openRuntime(source: ModelSource, url: string, config: ModelConfig, stats: LoaderStats): Promise<HostRuntime> {
  stats.loads++;
  const { key, manifest, sha256 } = source;
  const { device, gpu } = await openDevice(url, config);
  let session: InferenceSession;
  try {
    stats.sessionBuilds++;
    session = await InferenceSession.create(device, source.bytes);
  } catch (e) {
    const lost = await connectionLost(device);
    device.destroy();
    if (lost) throw new HostFailure(url, `the connection was lost while building the model (${(e as Error).message})`);
    if (e instanceof EngineError && e.code !== 'gpu_error') {
      throw modelUnavailable('model_invalid', `The model "${key}" (sha256 ${sha256.slice(0, 12)}...) cannot be used: ${e.message}. ${PUT_HINT}`);
    }
    throw e instanceof ServiceError ? e : gpuUnavailable(`building the model on the GPU failed (${(e as Error).message})`);
  }
  const input = session.inputs[0];
  const want = inputDims(manifest);
  const nameOk = manifest.input === undefined || manifest.input === input.name;
  if (session.inputs.length !== 1 || !nameOk || input.dims.join('x') !== want.join('x')) {
    session.dispose();
    device.destroy();
    const wanted = `${manifest.input ? `input "${manifest.input}" ` : ''}${want.join('x')} (${manifest.layout})`;
    throw modelUnavailable('model_incompatible', `The model "${key}" takes ${session.inputs.map((i) => `${i.name} [${i.dims}]`).join(', ')}; the service feeds one image tensor, ${wanted}. Put an image classifier, or a manifest that describes its input, with \`npm run model:put\`.`);
  }
  const classes = session.outputs[0].dims.reduce((a, b) => a * b, 1);
  const sessions = new BatchedSessions(device, source.bytes, session, Number(config.MAX_BATCH ?? 8) || 1);
  // In the background: the first request need not wait for the batch sessions, and failures fall back to size 1.
  void sessions.prepare();
  const batcher = new Batcher(sessions, { maxBatch: sessions.maxBatch, windowMs: Number(config.BATCH_WINDOW_MS ?? 0) || 0 });
  return {
    url,
    source,
    batcher,
    sessions,
    device,
    gpu,
    labels: Array.from({ length: classes }, (_, i) => source.labels[i] ?? fallbackLabel(i)),
    standIn: session.metadata.get('stand_in') === 'true',
    outputIsProbability: manifest.output ? manifest.output === 'probabilities' : session.outputs[0].producer === 'Softmax',
  };
}

/** Frees the runtime's GPU state once the requests already queued on it have run. */
export async function closeRuntime(runtime: HostRuntime): Promise<void> {
  await runtime.batcher.idle();
  runtime.sessions.dispose();
  runtime.device.destroy();
}
