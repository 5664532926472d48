/**
 * @module The Classifier Durable Object: one per (model key, replica). It reads and prepares its model from R2
 * once in its lifetime (concurrent first requests share that load; a failed load is tried again by the next
 * request), puts it on one GPU host and answers `classify` over RPC with the uint8 crop the Worker made.
 *
 * Hosts: each replica has a home host (serving-config.ts) and keeps to the host it runs on while that host is
 * up, so its compiled model stays warm there. When its connection is lost, or the HostDirectory reports its
 * host down while another is up, it loads on the next live host; when its home host is back, it compiles there
 * in the background and moves once that is ready, so no request waits for the move. A host lost drops only
 * what lived there (device, weights, plans); the prepared model stays.
 */
import { DurableObject } from 'cloudflare:workers';
import { GpuError } from '../engine/index.ts';
import { closeRuntime, cropSpecOf, openRuntime, readModel, type HostRuntime, type ModelSource } from './model-loader.ts';
import { cropMismatch, gpuUnavailable, HostFailure, ServiceError } from './errors.ts';
import { softmax, topK } from './top-k.ts';
import { HOST_DIRECTORY_NAME } from './host-directory.ts';
import { backoffMs, hostsToTry, type HostState } from './host-table.ts';
import { ConfigError, gpuHostUrls, homeHost, replicaName, type ReplicaRef } from './serving-config.ts';
import type { ServiceEnv } from './env.ts';
import type { ClassifyValue, LoaderStats, ReplicaHealth, RpcResult, ServiceErrorBody } from './protocol.ts';
import type { CropSpec } from '../images/index.ts';

/**
 * /healthz asks the GPU for one round trip (onSubmittedWorkDone) and calls it unhealthy when no answer comes in
 * this time: a hung GPU host shows in health checks at once, not only after a request hits the bridge's 15 s
 * bound. Generous against a busy GPU, whose queue holds at most a batch or two.
 */
const HEALTH_PROBE_MS = 5_000;
/** How stale the replica's copy of the host table may be: at most one directory round trip a second per replica. */
const VIEW_TTL_MS = 1_000;
/** After a failed move home, wait this long before compiling there again. */
const MOVE_RETRY_MS = 10_000;

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
  if (e instanceof ConfigError) return { status: 500, code: 'misconfigured', message: e.message };
  return { status: 500, code: 'internal_error', message: 'The classifier failed unexpectedly; see the service log.' };
}

export class Classifier extends DurableObject<ServiceEnv> {
  /** The model read from R2 and prepared, once per lifetime; undefined until the first load, or after a failed one. */
  #source: Promise<ModelSource> | undefined;
  /** The runtime being loaded or in use; undefined when the next request must load one. */
  #runtime: Promise<HostRuntime> | undefined;
  /** The same runtime once loaded, for synchronous checks of where it runs. */
  #active: HostRuntime | undefined;
  #moving = false;
  #moveNotBefore = 0;
  #hosts: HostState[] = [];
  #hostsAt = 0;
  readonly #stats: LoaderStats = { r2Reads: 0, sessionBuilds: 0, loads: 0 };
  readonly #served = new Map<string, number>();
  readonly #closed = new WeakSet<HostRuntime>();
  /** The Durable Object's name (model key and replica), for log lines. */
  #name = '';

  #directory() {
    return this.env.HOST_DIRECTORY.getByName(HOST_DIRECTORY_NAME);
  }

  /** The configured hosts in order, each with what the directory last said about it (up when it said nothing). */
  #hostStates(): HostState[] {
    return gpuHostUrls(this.env).map((url) => this.#hosts.find((h) => h.url === url) ?? { url, ok: true, retryAt: 0 });
  }

  /** Refreshes the host table from the directory when it is older than VIEW_TTL_MS; keeps the old one if that fails. */
  async #refreshHosts(): Promise<HostState[]> {
    if (Date.now() - this.#hostsAt >= VIEW_TTL_MS) {
      this.#hostsAt = Date.now();
      try {
        this.#hosts = await this.#directory().view();
      } catch (e) {
        console.error('host directory unreachable; keeping the last host table', e);
      }
    }
    return this.#hostStates();
  }

  /** Marks `url` down here at once (the next request must not pick it) and tells the directory. */
  #markDown(url: string, detail: string): void {
    // One line per failure (wrangler tail / the dev log): which replica lost which host, and why.
    console.warn(`classifier ${this.#name}: GPU host ${url} is down (${detail})`);
    this.#learn({ url, ok: false, error: detail, retryAt: Date.now() + backoffMs(1) });
  }

  #markUp(url: string): void {
    this.#learn({ url, ok: true, retryAt: 0 });
  }

  /** Puts what this replica found about a host into its own table and the directory's. */
  #learn(state: HostState): void {
    this.#hosts = this.#hostStates().map((h) => (h.url === state.url ? state : h));
    const directory = this.#directory();
    (state.ok ? directory.reportUp(state.url) : directory.reportDown(state.url, state.error ?? 'down'))
      .then((hosts) => (this.#hosts = hosts))
      .catch((e: unknown) => console.error(`could not tell the host directory that ${state.url} is ${state.ok ? 'up' : 'down'}`, e));
  }

  /** Makes `runtime` the one requests use, and forgets it if its host connection is lost. */
  #adopt(runtime: HostRuntime): void {
    this.#active = runtime;
    this.#runtime = Promise.resolve(runtime);
    void runtime.device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      this.#markDown(runtime.url, info.message);
      if (this.#active === runtime) this.#forget(runtime);
    });
  }

  /** Stops using `runtime`: later requests load anew; its GPU state is freed once its queued requests ran. */
  #forget(runtime: HostRuntime): void {
    if (this.#active === runtime) {
      this.#active = undefined;
      this.#runtime = undefined;
    }
    // A lost connection and the request that saw it both get here: close once.
    if (this.#closed.has(runtime)) return;
    this.#closed.add(runtime);
    void closeRuntime(runtime);
  }

  /** The prepared model, read from R2 by the first request of this lifetime (or the first after a failed read). */
  #modelSource(key: string): Promise<ModelSource> {
    if (!this.#source) {
      const loading = readModel(this.env, key, this.#stats);
      this.#source = loading;
      // Not kept when it fails: a good model put after a bad one is used without a restart.
      loading.catch(() => {
        if (this.#source === loading) this.#source = undefined;
      });
    }
    return this.#source;
  }

  /**
   * Puts the prepared model on the first live host, in this replica's order. With no host known to be
   * live, it first has the directory probe them all afresh (5 s at most): a host that came back is used at once
   * rather than after its backoff, and a hung one costs the probe's timeout, not the bridge's.
   */
  async #load(ref: ReplicaRef): Promise<HostRuntime> {
    const source = await this.#modelSource(ref.key);
    const home = homeHost(this.env, ref);
    let hosts = this.#hostStates();
    if (hostsToTry(hosts, home).length === 0) {
      this.#hosts = await this.#directory().status(0);
      this.#hostsAt = Date.now();
      hosts = this.#hostStates();
    }
    const tries = hostsToTry(hosts, home);
    if (tries.length === 0) throw gpuUnavailable(`no GPU host answers (${hosts.map((h) => `${h.url}: ${h.error ?? 'down'}`).join('; ')})`);
    let failure: HostFailure | undefined;
    for (const url of tries) {
      try {
        const runtime = await openRuntime(source, url, this.env, this.#stats);
        if (!hosts.find((h) => h.url === url)?.ok) this.#markUp(url);
        return runtime;
      } catch (e) {
        if (!(e instanceof HostFailure)) throw e;
        this.#markDown(url, e.detail);
        failure = e;
      }
    }
    throw failure!;
  }

  /** The runtime to use, starting the one shared load if none is loaded or loading. */
  #ensureRuntime(ref: ReplicaRef): Promise<HostRuntime> {
    if (!this.#runtime) {
      const loading = this.#load(ref);
      this.#runtime = loading;
      loading.then(
        (runtime) => {
          if (this.#runtime === loading) this.#adopt(runtime);
          else this.#forget(runtime);
        },
        () => {
          if (this.#runtime === loading) this.#runtime = undefined;
        },
      );
    }
    return this.#runtime;
  }

  /**
   * Before a request: leave a host the directory reports down when another is up (a hung host is then skipped
   * rather than waited on), and start moving home when home is back.
   */
  async #placeRuntime(ref: ReplicaRef): Promise<void> {
    const hosts = await this.#refreshHosts();
    const active = this.#active;
    if (!active) return;
    const here = hosts.find((h) => h.url === active.url);
    if (!here || (!here.ok && hosts.some((h) => h.ok))) {
      this.#forget(active);
      return;
    }
    const home = hosts[homeHost(this.env, ref)];
    if (active.url !== home.url && home.ok && !this.#moving && Date.now() >= this.#moveNotBefore) void this.#moveHome(active, home.url);
  }

  /** Compiles the same model on the home host while `from` keeps serving, then switches. */
  async #moveHome(from: HostRuntime, home: string): Promise<void> {
    this.#moving = true;
    try {
      const next = await openRuntime(from.source, home, this.env, this.#stats);
      if (this.#active !== from) {
        this.#forget(next);
        return;
      }
      this.#adopt(next);
      this.#forget(from);
      console.log(`classifier ${this.#name}: back on its home GPU host ${home} (from ${from.url})`);
    } catch (e) {
      this.#moveNotBefore = Date.now() + MOVE_RETRY_MS;
      if (e instanceof HostFailure) this.#markDown(home, e.detail);
      else console.error(`moving ${from.source.key} home to ${home} failed`, e);
    } finally {
      this.#moving = false;
    }
  }

  /** What the Worker must make of an upload for model `ref.key`: resize target and crop side (its manifest's). */
  async cropSpec(ref: ReplicaRef): Promise<RpcResult<CropSpec>> {
    this.#name ||= replicaName(ref);
    try {
      return { ok: true, value: cropSpecOf(await this.#modelSource(ref.key)) };
    } catch (e) {
      return { ok: false, error: toErrorBody(e) };
    }
  }

  /** Classifies one crop (uint8 RGB, crop x crop x 3, as cropSpec says) with model `ref.key`; the GPU normalizes it. */
  async classify(ref: ReplicaRef, crop: Uint8Array, top: number): Promise<RpcResult<ClassifyValue>> {
    this.#name ||= replicaName(ref);
    let runtime: HostRuntime | undefined;
    try {
      await this.#placeRuntime(ref);
      runtime = await this.#ensureRuntime(ref);
      const { size } = runtime.source.manifest;
      if (crop.length !== size * size * 3) throw cropMismatch(ref.key, crop.length, size);
      const scores = await runtime.batcher.submit(crop);
      this.#served.set(runtime.url, (this.#served.get(runtime.url) ?? 0) + 1);
      const probabilities = runtime.source.outputIsProbability ? scores : softmax(scores);
      const labels = runtime.labels;
      const best = topK(probabilities, top).map((index) => ({ index, ...labels[index], probability: probabilities[index] }));
      return { ok: true, value: { model: ref.key, top: best } };
    } catch (e) {
      if (runtime && e instanceof GpuError) this.#forget(runtime);
      const body = toErrorBody(e);
      if (body.status === 500) console.error('classify failed', e);
      return { ok: false, error: body };
    }
  }

  /** For /healthz: GPU, model and host of this replica; loads the model if nothing is loaded yet, then probes the GPU. */
  async health(ref: ReplicaRef): Promise<ReplicaHealth> {
    this.#name ||= replicaName(ref);
    const report = (r: HostRuntime | undefined, reason?: string): ReplicaHealth => ({
      ok: !!r && !reason,
      ...(reason ? { reason } : {}),
      replica: ref.replica,
      home: gpuHostUrls(this.env)[homeHost(this.env, ref)],
      host: r?.url ?? null,
      gpu: r?.gpu ?? null,
      model: { key: ref.key, loaded: !!r, sha256: r?.source.sha256 ?? null, standIn: r?.source.standIn ?? null },
      loader: { ...this.#stats },
      batches: r ? Object.fromEntries(r.batcher.batches) : {},
      batching: r?.sessions.report ?? null,
      served: Object.fromEntries(this.#served),
    });
    let runtime: HostRuntime;
    try {
      await this.#refreshHosts();
      runtime = await this.#ensureRuntime(ref);
    } catch (e) {
      return report(undefined, toErrorBody(e).message);
    }
    try {
      await probeGpu(runtime.device);
      return report(runtime);
    } catch (e) {
      return report(runtime, toErrorBody(e).message);
    }
  }
}
