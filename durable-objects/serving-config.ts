/**
 * @module What is served and where, from the vars the Worker and the Durable Objects share: the model keys
 * (`MODELS`, else `MODEL_KEY`), the GPU hosts (`GPU_HOST_URLS`, else `GPU_HOST_URL`) and the replicas per model
 * (`REPLICAS`, else one per host). Pure functions: the Worker and every Durable Object derive the same layout
 * from the same vars, so no one has to tell anyone which replica lives where.
 */

export interface ServingVars {
  MODEL_KEY: string;
  /** Comma-separated R2 keys; the first is the default model. */
  MODELS?: string;
  GPU_HOST_URL: string;
  /** Comma-separated; wins over GPU_HOST_URL. */
  GPU_HOST_URLS?: string;
  /** Classifier Durable Objects per model (default: the number of GPU hosts). */
  REPLICAS?: string;
}

/** A deployment whose vars contradict themselves: the message names the var and what it should hold. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** More replicas than this per model is a typo, not a plan: each one holds a GPU device and a compiled model. */
const MAX_REPLICAS = 64;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function unique(values: string[], varName: string): string[] {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new ConfigError(`${varName} lists "${v}" twice; list each once.`);
    seen.add(v);
  }
  return values;
}

/** The served model keys, the default first. */
export function servedModels(vars: ServingVars): string[] {
  const models = list(vars.MODELS);
  if (models.length > 0) return unique(models, 'MODELS');
  if (!vars.MODEL_KEY) throw new ConfigError('Neither MODELS nor MODEL_KEY names a model: set MODEL_KEY (or MODELS, comma-separated) in wrangler.toml.');
  return [vars.MODEL_KEY];
}

/** The GPU host URLs in configured order (their index is what replicas are spread by). */
export function gpuHostUrls(vars: ServingVars): string[] {
  const urls = list(vars.GPU_HOST_URLS);
  if (urls.length > 0) return unique(urls, 'GPU_HOST_URLS');
  if (!vars.GPU_HOST_URL) throw new ConfigError('No GPU host is configured: set GPU_HOST_URL (or GPU_HOST_URLS, comma-separated) in wrangler.toml.');
  return [vars.GPU_HOST_URL];
}

export function replicaCount(vars: ServingVars): number {
  if (vars.REPLICAS === undefined || vars.REPLICAS.trim() === '') return gpuHostUrls(vars).length;
  const n = Number(vars.REPLICAS);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS) {
    throw new ConfigError(`REPLICAS must be a whole number from 1 to ${MAX_REPLICAS} (Classifier Durable Objects per model), got "${vars.REPLICAS.slice(0, 40)}".`);
  }
  return n;
}

/** Which replica of which model a Classifier Durable Object is. */
export interface ReplicaRef {
  key: string;
  replica: number;
}

/** The Durable Object name of a replica. Replica 0 keeps the bare key, the name of the one DO per model before replicas. */
export function replicaName({ key, replica }: ReplicaRef): string {
  return replica === 0 ? key : `${key}#${replica}`;
}

/**
 * The host a replica prefers: replicas are numbered across all models (model m's replica r is number m*R + r)
 * and dealt round the hosts, so every host gets the same number of replicas (+-1) even when R is smaller than
 * the number of hosts and several models are served.
 */
export function homeHost(vars: ServingVars, { key, replica }: ReplicaRef): number {
  const model = servedModels(vars).indexOf(key);
  if (model < 0) throw new ConfigError(`"${key}" is not one of the served models (${servedModels(vars).join(', ')}).`);
  return (model * replicaCount(vars) + replica) % gpuHostUrls(vars).length;
}
