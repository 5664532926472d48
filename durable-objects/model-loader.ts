/**
 * @module Loads the classifier: GPU device, model and labels from R2, compiled session. Called once per
 * Durable Object lifetime (and again after a device loss); the DO shares one in-flight load between requests.
 */
import { EngineError, InferenceSession, openDevice as openInferenceDevice } from '../engine/index.ts';
import { fallbackLabel, parseLabels, type Label } from './labels.ts';
import { gpuFor, type GpuHostConfig } from './gpu-source.ts';
import { gpuUnavailable, modelUnavailable, ServiceError } from './errors.ts';
import type { GpuReport, LoaderStats } from './protocol.ts';
import { INPUT_SIZE } from '../images/constants.ts';
import { Batcher } from './batcher.ts';
import { BatchedSessions } from './batched-sessions.ts';

/** The tensor the Worker sends: one RGB image, NCHW. */
const INPUT_SHAPE = [1, 3, INPUT_SIZE, INPUT_SIZE] as const;

export interface ModelConfig extends GpuHostConfig {
  MODEL_BUCKET: R2Bucket;
  MODEL_KEY: string;
  LABELS_KEY: string;
  /** Largest dynamic batch (default 8; 1 turns batching off). */
  MAX_BATCH?: string;
  /** Milliseconds to wait for more requests before a batch starts (default 0: never delay a lone request). */
  BATCH_WINDOW_MS?: string;
}

export interface LoadedModel {
  key: string;
  device: GPUDevice;
  gpu: GpuReport;
  labels: Label[];
  sha256: string;
  standIn: boolean;
  /** The graph ends in Softmax: its output is already a probability distribution. */
  outputIsProbability: boolean;
  /** Queues requests and runs them in batches on `sessions`. */
  batcher: Batcher<Float32Array, Float32Array>;
  sessions: BatchedSessions;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function openDevice(config: ModelConfig): Promise<{ device: GPUDevice; gpu: GpuReport }> {
  try {
    const adapter = await gpuFor(config).requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter');
    const device = await openInferenceDevice(adapter);
    const info = adapter.info;
    return { device, gpu: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description } };
  } catch (e) {
    throw e instanceof ServiceError ? e : gpuUnavailable((e as Error).message);
  }
}

export async function loadModel(config: ModelConfig, stats: LoaderStats): Promise<LoadedModel> {
  stats.loads++;
  stats.r2Reads++;
  const [object, labelsObject] = await Promise.all([config.MODEL_BUCKET.get(config.MODEL_KEY), config.MODEL_BUCKET.get(config.LABELS_KEY)]);
  if (!object) {
    throw modelUnavailable('model_missing', `No model is stored under "${config.MODEL_KEY}" in the MODEL_BUCKET R2 bucket. Run \`npm run model:fetch\` (or \`npm run model:put -- <file.onnx>\`), then retry.`);
  }
  const bytes = new Uint8Array(await object.arrayBuffer());
  const labels = labelsObject ? parseLabels(await labelsObject.text()) : [];
  const sha256 = await sha256Hex(bytes);
  const { device, gpu } = await openDevice(config);
  let session: InferenceSession;
  try {
    stats.sessionBuilds++;
    session = await InferenceSession.create(device, bytes);
  } catch (e) {
    device.destroy();
    if (e instanceof EngineError && e.code !== 'gpu_error') {
      throw modelUnavailable('model_invalid', `The model "${config.MODEL_KEY}" (sha256 ${sha256.slice(0, 12)}...) cannot be used: ${e.message}. Put a valid ONNX classifier with \`npm run model:put -- <file.onnx>\`.`);
    }
    throw gpuUnavailable(`building the model on the GPU failed (${(e as Error).message})`);
  }
  const input = session.inputs[0];
  if (session.inputs.length !== 1 || input.dims.join('x') !== INPUT_SHAPE.join('x')) {
    session.dispose();
    device.destroy();
    throw modelUnavailable('model_incompatible', `The model "${config.MODEL_KEY}" takes ${session.inputs.map((i) => `${i.name} [${i.dims}]`).join(', ')}; the service feeds one ${INPUT_SHAPE.join('x')} image tensor. Put an ImageNet-style classifier with \`npm run model:put\`.`);
  }
  const classes = session.outputs[0].dims.reduce((a, b) => a * b, 1);
  const sessions = new BatchedSessions(device, bytes, session, Number(config.MAX_BATCH ?? 8) || 1);
  // In the background: the first request need not wait for the batch sessions, and failures fall back to size 1.
  void sessions.prepare();
  const batcher = new Batcher(sessions, { maxBatch: sessions.maxBatch, windowMs: Number(config.BATCH_WINDOW_MS ?? 0) || 0 });
  return {
    batcher,
    sessions,
    key: config.MODEL_KEY,
    device,
    gpu,
    labels: Array.from({ length: classes }, (_, i) => labels[i] ?? fallbackLabel(i)),
    sha256,
    standIn: session.metadata.get('stand_in') === 'true',
    outputIsProbability: session.outputs[0].producer === 'Softmax',
  };
}
