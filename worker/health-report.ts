/**
 * @module GET /healthz's body from the parts that know: each replica of each model (its GPU, model and host)
 * and the HostDirectory (which GPU hosts answer). The service is ok while at least one host answers and every
 * model has a replica that serves; the first problem found is the `reason`.
 */
import type { BatchingReport } from '../durable-objects/batched-sessions.ts';
import type { HostState } from '../durable-objects/host-table.ts';
import type { GpuReport, LoaderStats, ModelReport, ReplicaHealth } from '../durable-objects/protocol.ts';

export interface ModelHealth extends ModelReport {
  ok: boolean;
  reason?: string;
  /** Where each replica runs now (null: nothing loaded) and whether it serves. */
  replicas: { replica: number; home: string; host: string | null; ok: boolean }[];
}

export interface HostHealth {
  url: string;
  ok: boolean;
  error?: string;
  /** Requests answered on this host since the replicas started. */
  served: number;
}

export interface ServiceHealth {
  ok: boolean;
  reason?: string;
  gpu: GpuReport | null;
  /** The default model (SPEC's one-model shape); `models` lists them all. */
  model: ModelReport;
  models: ModelHealth[];
  hosts: HostHealth[];
  /** The default model's replicas together: R2 reads and builds, batch runs by size, batch sessions ready on all. */
  loader: LoaderStats;
  batches: Record<string, number>;
  batching: BatchingReport | null;
}

function modelHealth(key: string, replicas: ReplicaHealth[]): ModelHealth {
  const loaded = replicas.find((r) => r.model.loaded);
  const ok = replicas.some((r) => r.ok);
  const reason = ok ? undefined : replicas.find((r) => r.reason)?.reason;
  return {
    key,
    loaded: !!loaded,
    sha256: loaded?.model.sha256 ?? null,
    standIn: loaded?.model.standIn ?? null,
    ok,
    ...(reason ? { reason: replicas.length > 1 ? `${key}: ${reason}` : reason } : {}),
    replicas: replicas.map((r) => ({ replica: r.replica, home: r.home, host: r.host, ok: r.ok })),
  };
}

function sumLoaders(replicas: ReplicaHealth[]): LoaderStats {
  return replicas.reduce((a, r) => ({ r2Reads: a.r2Reads + r.loader.r2Reads, sessionBuilds: a.sessionBuilds + r.loader.sessionBuilds, loads: a.loads + r.loader.loads }), { r2Reads: 0, sessionBuilds: 0, loads: 0 });
}

function sumBatches(replicas: ReplicaHealth[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replicas) for (const [size, n] of Object.entries(r.batches)) out[size] = (out[size] ?? 0) + n;
  return out;
}

/** Batch sizes every loaded replica has ready; preparing while any replica still builds. */
function commonBatching(replicas: ReplicaHealth[]): BatchingReport | null {
  const reports = replicas.map((r) => r.batching).filter((b): b is BatchingReport => b !== null);
  if (reports.length === 0) return null;
  return {
    maxBatch: reports[0].maxBatch,
    ready: reports[0].ready.filter((n) => reports.every((b) => b.ready.includes(n))),
    preparing: reports.some((b) => b.preparing),
  };
}

/** `models` in served order (the default first), each with its replicas' reports in replica order. */
export function serviceHealth(models: { key: string; replicas: ReplicaHealth[] }[], hosts: HostState[]): ServiceHealth {
  const perModel = models.map((m) => modelHealth(m.key, m.replicas));
  const served = new Map<string, number>();
  for (const m of models) for (const r of m.replicas) for (const [url, n] of Object.entries(r.served)) served.set(url, (served.get(url) ?? 0) + n);
  const hostHealth = hosts.map((h) => ({ url: h.url, ok: h.ok, ...(h.error ? { error: h.error } : {}), served: served.get(h.url) ?? 0 }));
  const anyHost = hosts.some((h) => h.ok);
  const reason =
    perModel.find((m) => m.reason)?.reason ??
    (anyHost ? undefined : `no GPU host answers (${hosts.map((h) => `${h.url}: ${h.error ?? 'down'}`).join('; ')})`);
  const ok = anyHost && perModel.every((m) => m.ok);
  const main = models[0].replicas;
  const { ok: _ok, reason: _reason, replicas: _replicas, ...model } = perModel[0];
  return {
    ok,
    ...(!ok && reason ? { reason } : {}),
    gpu: (main.find((r) => r.ok) ?? main.find((r) => r.gpu))?.gpu ?? null,
    model,
    models: perModel,
    hosts: hostHealth,
    loader: sumLoaders(main),
    batches: sumBatches(main),
    batching: commonBatching(main),
  };
}
