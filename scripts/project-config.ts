/**
 * @module The service's configuration from wrangler.toml, for the Node-side scripts. Parsed with a TOML library
 * rather than wrangler's own reader: importing wrangler installs process signal handlers that would stop
 * `npm start` from shutting its children down on Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** wrangler dev's default local state; `model:put` and `npm start` pass it explicitly so both agree. */
export const LOCAL_STATE_DIR = path.join(PROJECT_ROOT, '.wrangler', 'state');

export interface ProjectConfig {
  bucket: string;
  modelKey: string;
  labelsKey: string;
  gpuHostUrl: string;
}

interface WranglerToml {
  vars?: Record<string, string>;
  r2_buckets?: { binding: string; bucket_name?: string }[];
}

export function readProjectConfig(): ProjectConfig {
  const config = parse(readFileSync(path.join(PROJECT_ROOT, 'wrangler.toml'), 'utf8')) as WranglerToml;
  const bucket = config.r2_buckets?.find((b) => b.binding === 'MODEL_BUCKET');
  if (!bucket?.bucket_name) throw new Error('wrangler.toml has no R2 binding MODEL_BUCKET');
  const vars = config.vars ?? {};
  return {
    bucket: bucket.bucket_name,
    modelKey: vars.MODEL_KEY ?? 'squeezenet1.1-7.onnx',
    labelsKey: vars.LABELS_KEY ?? 'synset.txt',
    gpuHostUrl: vars.GPU_HOST_URL ?? 'ws://127.0.0.1:8790',
  };
}
