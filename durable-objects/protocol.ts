/**
 * @module What the Classifier Durable Object returns over RPC. Errors travel as values, not exceptions:
 * an RPC exception loses its type, and the Worker needs the status, code and Retry-After to answer.
 */
import type { BatchingReport } from './batched-sessions.ts';

export interface Prediction {
  index: number;
  synset: string;
  label: string;
  probability: number;
}

export interface ClassifyValue {
  model: string;
  top: Prediction[];
}

export interface ServiceErrorBody {
  status: 500 | 503;
  code: string;
  message: string;
  /** Seconds, for 503s. */
  retryAfter?: number;
}

export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: ServiceErrorBody };

export interface GpuReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface ModelReport {
  key: string;
  loaded: boolean;
  sha256: string | null;
  standIn: boolean | null;
}

/** One replica's answer to health(): its GPU, model and host, for the Worker's /healthz to combine. */
export interface ReplicaHealth {
  ok: boolean;
  reason?: string;
  replica: number;
  /** The GPU host it prefers, and the one it runs on now (null while nothing is loaded). */
  home: string;
  host: string | null;
  gpu: GpuReport | null;
  model: ModelReport;
  /** How often this Durable Object read the model from R2 and built a session since it started. */
  loader: LoaderStats;
  /** Batch size -> GPU runs of that size since the model loaded (dynamic batching). */
  batches: Record<string, number>;
  /** Which batch sizes have a session built; null until the model is loaded. */
  batching: BatchingReport | null;
  /** GPU host URL -> requests this replica answered there since it started. */
  served: Record<string, number>;
}

/** Counters for tests and /healthz: one R2 read and one session build per load. */
export interface LoaderStats {
  r2Reads: number;
  sessionBuilds: number;
  loads: number;
}
