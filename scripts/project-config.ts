/** @module The service's configuration as wrangler reads it (wrangler.toml), for the Node-side scripts. */
import { unstable_readConfig } from 'wrangler';
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

export function readProjectConfig(): ProjectConfig {
  const config = unstable_readConfig({ config: path.join(PROJECT_ROOT, 'wrangler.toml') });
  const bucket = config.r2_buckets.find((b: { binding: string; bucket_name?: string }) => b.binding === 'MODEL_BUCKET');
  if (!bucket?.bucket_name) throw new Error('wrangler.toml has no R2 binding MODEL_BUCKET');
  const vars = config.vars as Record<string, string>;
  return {
    bucket: bucket.bucket_name,
    modelKey: vars.MODEL_KEY ?? 'squeezenet1.1-7.onnx',
    labelsKey: vars.LABELS_KEY ?? 'synset.txt',
    gpuHostUrl: vars.GPU_HOST_URL ?? 'ws://127.0.0.1:8790',
  };
}
