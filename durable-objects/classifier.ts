/**
 * @module The Classifier Durable Object: one per model key. It owns the GPU device and the compiled session,
 * loads them on first use (concurrent first requests share one load) and answers `classify` over RPC.
 */
import { DurableObject } from 'cloudflare:workers';
import { GpuError } from '../engine/index.ts';
import { loadModel, type LoadedModel, type ModelConfig } from './model-loader.ts';
import { gpuUnavailable, ServiceError } from './errors.ts';
import { softmax, topK } from './top-k.ts';
import type { ClassifyValue, HealthReport, LoaderStats, RpcResult, ServiceErrorBody } from './protocol.ts';

/**
 * /healthz asks the GPU for one round trip (onSubmittedWorkDone) and calls it unhealthy when no answer comes in
 * this time: a hung GPU host shows in health checks at once, not only after a request hits the bridge's 15 s
 * bound. Generous against a busy GPU, whose queue holds at most a batch or two.
 */
const HEALTH_PROBE_MS = 5_000;

/** Resolves when the device has answered a round trip; rejects with a 503 error when it does not in time. */
async function probeGpu(device: GPUDevice): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = device.queue.onSubmittedWorkDone();
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(gpuUnavailable(`the GPU did not answer a health probe within ${HEALTH_PROBE_MS / 1000} s`)), HEALTH_PROBE_MS);
  });
  done.catch(() => undefined);
  try {
    await Promise.race([done, late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function toErrorBody(e: unknown): ServiceErrorBody {
  if (e instanceof ServiceError) return e.body;
  if (e instanceof GpuError) return gpuUnavailable(e.message).body;
  return { status: 500, code: 'internal_error', message: 'The classifier failed unexpectedly; see the service log.' };
}

export class Classifier extends DurableObject<ModelConfig> {
  #model: Promise<LoadedModel> | undefined;
  readonly #stats: LoaderStats = { r2Reads: 0, sessionBuilds: 0, loads: 0 };

  /** The loaded model, starting the one shared load if none is in flight. A failed load is retried next time. */
  #ensureModel(): Promise<LoadedModel> {
    if (!this.#model) {
      const loading = loadModel(this.env, this.#stats);
      this.#model = loading;
      loading.then(
        (m) => {
          // A lost device (GPU host gone, driver reset) means the next request must reconnect and rebuild.
          void m.device.lost.then(() => {
            if (this.#model === loading) this.#model = undefined;
          });
        },
        () => {
          if (this.#model === loading) this.#model = undefined;
        },
      );
    }
    return this.#model;
  }

  #forget(model: LoadedModel): void {
    void this.#model?.then((m) => {
      if (m === model) {
        this.#model = undefined;
        m.sessions.dispose();
        m.device.destroy();
      }
    });
  }

  /** Classifies one preprocessed image (1x3x224x224 float32, NCHW). */
  async classify(tensor: Float32Array, top: number): Promise<RpcResult<ClassifyValue>> {
    let model: LoadedModel | undefined;
    try {
      model = await this.#ensureModel();
      const scores = await model.batcher.submit(tensor);
      const probabilities = model.outputIsProbability ? scores : softmax(scores);
      const best = topK(probabilities, top).map((index) => ({ index, ...model!.labels[index], probability: probabilities[index] }));
      return { ok: true, value: { model: model.key, top: best } };
    } catch (e) {
      if (model && e instanceof GpuError) this.#forget(model);
      const body = toErrorBody(e);
      if (body.status === 500) console.error('classify failed', e);
      return { ok: false, error: body };
    }
  }

  /** For /healthz: GPU and model state; loads the model if nothing is loaded yet, then probes the GPU. */
  async health(): Promise<HealthReport> {
    const report = (m: LoadedModel | undefined, reason?: string): HealthReport => ({
      ok: !!m && !reason,
      ...(reason ? { reason } : {}),
      gpu: m?.gpu ?? null,
      model: { key: this.env.MODEL_KEY, loaded: !!m, sha256: m?.sha256 ?? null, standIn: m?.standIn ?? null },
      loader: { ...this.#stats },
      batches: m ? Object.fromEntries(m.batcher.batches) : {},
      batching: m?.sessions.report ?? null,
    });
    let model: LoadedModel;
    try {
      model = await this.#ensureModel();
    } catch (e) {
      return report(undefined, toErrorBody(e).message);
    }
    try {
      await probeGpu(model.device);
      return report(model);
    } catch (e) {
      return report(model, toErrorBody(e).message);
    }
  }
}
