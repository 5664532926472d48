/** @module The Worker's bindings (wrangler.toml) and secrets (.dev.vars / `wrangler secret put`). */
import type { Classifier } from '../durable-objects/classifier.ts';

export interface Env {
  CLASSIFIER: DurableObjectNamespace<Classifier>;
  MODEL_BUCKET: R2Bucket;
  MODEL_KEY: string;
  LABELS_KEY: string;
  GPU_HOST_URL: string;
  GPU_HOST_TOKEN?: string;
}
