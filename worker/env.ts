/** @module The Worker's bindings (wrangler.toml) and secrets (.dev.vars / `wrangler secret put`). */
import type { Classifier } from '../durable-objects/classifier.ts';
import type { ServiceEnv } from '../durable-objects/env.ts';
import type { AccessEnv } from './middleware/context.ts';

/** The Classifier binding plus everything the Durable Objects read (the same vars), and the access settings. */
export interface Env extends ServiceEnv, AccessEnv {
  CLASSIFIER: DurableObjectNamespace<Classifier>;
}
