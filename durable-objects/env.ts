/** @module The bindings and vars the Durable Objects read (the Worker's Env adds its own binding to these). */
import type { HostDirectory } from './host-directory.ts';
import type { ModelConfig } from './model-loader.ts';
import type { ServingVars } from './serving-config.ts';

export interface ServiceEnv extends ModelConfig, ServingVars {
  HOST_DIRECTORY: DurableObjectNamespace<HostDirectory>;
}
