/** @module The Worker's bindings (wrangler.toml) and secrets (.dev.vars / `wrangler secret put`). */
import type { Classifier } from '../durable-objects/classifier.ts';
import type { ModelConfig } from '../durable-objects/model-loader.ts';
import type { AccessEnv } from './middleware/context.ts';

/** The Classifier binding plus the model and GPU host settings the Durable Object reads (the same vars), and access. */
export interface Env extends ModelConfig, AccessEnv {
  CLASSIFIER: DurableObjectNamespace<Classifier>;
}
