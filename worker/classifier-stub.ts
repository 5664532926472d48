/** @module The Classifier Durable Object for the configured model: one instance per model key. */
import type { Env } from './env.ts';

export function classifierFor(env: Env) {
  return env.CLASSIFIER.getByName(env.MODEL_KEY);
}
