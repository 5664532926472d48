/**
 * @module Runs a batch of images through a session compiled for that batch size. The sessions for batch
 * sizes > 1 come from the same model bytes (pipelines come from the device's cache, so each costs buffers and
 * one warm-up run, not shader compiles). `prepare()` builds them all right after the model loads, in the
 * background: GPU memory is then fixed once the service is warm, and the first burst of traffic does not
 * stall behind a build. A size asked for before it is ready waits for that same build. A model that cannot
 * take a batch dimension (e.g. a Reshape to a fixed [1, 1000]) falls back to running the images one by one.
 */
import { InferenceSession } from '../engine/index.ts';
import { batchSizes, type BatchRunner } from './batcher.ts';

/** For /healthz: which batch sessions exist. */
export interface BatchingReport {
  maxBatch: number;
  /** Batch sizes with a session of their own (1 always; others once built, unless the model refused them). */
  ready: number[];
  /** Still building sessions in the background. */
  preparing: boolean;
}

export class BatchedSessions implements BatchRunner<Float32Array, Float32Array> {
  #sessions = new Map<number, Promise<InferenceSession | undefined>>();
  readonly #ready = new Set<number>([1]);
  #preparing = false;
  #disposed = false;
  readonly #input: string;
  readonly #output: string;

  constructor(
    private readonly device: GPUDevice,
    private readonly modelBytes: Uint8Array,
    private readonly single: InferenceSession,
    readonly maxBatch: number,
  ) {
    this.#input = single.inputs[0].name;
    this.#output = single.outputs[0].name;
    this.#sessions.set(1, Promise.resolve(single));
  }

  /** Builds the session of every batch size, one at a time (smallest first). Never rejects. */
  async prepare(): Promise<void> {
    this.#preparing = true;
    try {
      for (const n of batchSizes(this.maxBatch)) {
        if (this.#disposed) return;
        await this.#sessionFor(n);
      }
    } finally {
      this.#preparing = false;
    }
  }

  get report(): BatchingReport {
    return { maxBatch: this.maxBatch, ready: [...this.#ready].sort((a, b) => a - b), preparing: this.#preparing };
  }

  #sessionFor(n: number): Promise<InferenceSession | undefined> {
    let s = this.#sessions.get(n);
    if (!s) {
      const shape = [n, ...this.single.inputs[0].dims.slice(1)];
      s = InferenceSession.create(this.device, this.modelBytes, { inputShapes: { [this.#input]: shape } }).then(
        (session) => {
          if (session.outputs[0].dims[0] !== n || this.#disposed) {
            session.dispose();
            return undefined;
          }
          this.#ready.add(n);
          return session;
        },
        () => undefined,
      );
      this.#sessions.set(n, s);
    }
    return s;
  }

  async run(inputs: Float32Array[]): Promise<Float32Array[]> {
    const n = inputs.length;
    const session = n === 1 ? this.single : await this.#sessionFor(n);
    if (!session) {
      const out: Float32Array[] = [];
      for (const x of inputs) out.push((await this.single.run({ [this.#input]: x }))[this.#output].data);
      return out;
    }
    const per = inputs[0].length;
    const batch = new Float32Array(per * n);
    inputs.forEach((x, i) => batch.set(x, i * per));
    const scores = (await session.run({ [this.#input]: batch }))[this.#output].data;
    const classes = scores.length / n;
    return inputs.map((_, i) => scores.slice(i * classes, (i + 1) * classes));
  }

  dispose(): void {
    this.#disposed = true;
    for (const s of this.#sessions.values()) void s.then((session) => session?.dispose());
    this.#sessions.clear();
    this.#ready.clear();
  }
}
