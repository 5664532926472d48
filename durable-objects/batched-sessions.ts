/**
 * @module Runs a batch of crops through a plan made for that batch size. Every plan is an InferenceSession of
 * the same DeviceModel, so the weights are on the GPU once whatever the number of sizes, and each plan costs
 * its activations and bind groups. No warm-up run: the batch-1 plan's warm-up already compiled the pipelines
 * they share (the device's cache), and a batch-8 warm-up is eight inferences of GPU time taken from the first
 * requests. `prepare()` builds them all right after the model loads, in the background: GPU memory is then
 * fixed once the service is warm, and the first burst of traffic does not stall behind a build. A size asked
 * for before it is ready waits for that same build. A model that cannot take a batch dimension (e.g. a Reshape
 * to a fixed [1, 1000]) falls back to running the crops one by one.
 */
import { InferenceSession, type DeviceModel } from '../engine/index.ts';
import { batchSizes, type BatchRunner } from './batcher.ts';

/** For /healthz: which batch plans exist. */
export interface BatchingReport {
  maxBatch: number;
  /** Batch sizes with a plan of their own (1 always; others once built, unless the model refused them). */
  ready: number[];
  /** Still building plans in the background. */
  preparing: boolean;
}

export class BatchedSessions implements BatchRunner<Uint8Array, Float32Array> {
  #sessions = new Map<number, Promise<InferenceSession | undefined>>();
  readonly #ready = new Set<number>([1]);
  #preparing = false;
  readonly #input: string;
  readonly #output: string;

  constructor(
    private readonly deviceModel: DeviceModel,
    private readonly single: InferenceSession,
    readonly maxBatch: number,
  ) {
    this.#input = single.inputs[0].name;
    this.#output = single.outputs[0].name;
    this.#sessions.set(1, Promise.resolve(single));
  }

  /** Builds the plan of every batch size, one at a time (smallest first). Never rejects. */
  async prepare(): Promise<void> {
    this.#preparing = true;
    try {
      for (const n of batchSizes(this.maxBatch)) {
        if (this.deviceModel.disposed) return;
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
      s = InferenceSession.create(this.deviceModel, { inputShapes: { [this.#input]: shape }, warmup: false }).then(
        (session) => {
          if (session.outputs[0].dims[0] !== n) {
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

  async run(crops: Uint8Array[]): Promise<Float32Array[]> {
    const n = crops.length;
    const session = n === 1 ? this.single : await this.#sessionFor(n);
    if (!session) {
      const out: Float32Array[] = [];
      for (const x of crops) out.push((await this.single.run({ [this.#input]: x }))[this.#output].data);
      return out;
    }
    const per = crops[0].length;
    const batch = new Uint8Array(per * n);
    crops.forEach((x, i) => batch.set(x, i * per));
    const scores = (await session.run({ [this.#input]: batch }))[this.#output].data;
    const classes = scores.length / n;
    return crops.map((_, i) => scores.slice(i * classes, (i + 1) * classes));
  }
}
