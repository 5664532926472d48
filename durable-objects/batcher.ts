/**
 * @module Opportunistic dynamic batching. Requests that arrive while the GPU is busy queue up; when it frees,
 * the queued ones run together as one batch. A lone request never waits for company (no timer unless a
 * window is configured), so concurrency-1 latency is unchanged, while under load the per-run overheads
 * (dispatch, submit, readback, bridge round trip) are paid once per batch instead of once per request.
 */

export interface BatchRunner<In, Out> {
  /** Runs `inputs` as one batch; returns one output per input, in order. */
  run(inputs: In[]): Promise<Out[]>;
}

interface BatcherOptions {
  /** Largest batch; sizes are powers of two up to this, so each size needs at most one compiled plan. */
  maxBatch: number;
  /** Extra milliseconds to wait for company after the first request of an idle period (default 0). */
  windowMs?: number;
}

interface Pending<In, Out> {
  input: In;
  resolve(out: Out): void;
  reject(e: unknown): void;
}

/** Every batch size the batcher can pick for `max`: the powers of two up to it, smallest first. */
export function batchSizes(max: number): number[] {
  const sizes = [1];
  while (sizes[sizes.length - 1] * 2 <= max) sizes.push(sizes[sizes.length - 1] * 2);
  return sizes;
}

/** Largest power of two <= n and <= max. */
export function batchSizeFor(n: number, max: number): number {
  let size = 1;
  while (size * 2 <= Math.min(n, max)) size *= 2;
  return size;
}

export class Batcher<In, Out> {
  #queue: Pending<In, Out>[] = [];
  #busy = false;
  #idleWaiters: (() => void)[] = [];
  /** Batch sizes run so far, for /healthz and tests. */
  readonly batches = new Map<number, number>();

  constructor(
    private readonly runner: BatchRunner<In, Out>,
    private readonly options: BatcherOptions,
  ) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (!this.#busy) void this.#drain();
    });
  }

  /** Resolves once nothing is queued or running (at once when idle), e.g. before the runner is disposed. */
  idle(): Promise<void> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      if (this.options.windowMs) await new Promise((r) => setTimeout(r, this.options.windowMs));
      while (this.#queue.length > 0) {
        const size = batchSizeFor(this.#queue.length, this.options.maxBatch);
        const batch = this.#queue.splice(0, size);
        this.batches.set(size, (this.batches.get(size) ?? 0) + 1);
        try {
          const outputs = await this.runner.run(batch.map((p) => p.input));
          batch.forEach((p, i) => p.resolve(outputs[i]));
        } catch (e) {
          // One failed run fails its own requests only; queued ones still get their turn.
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.#busy = false;
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}
