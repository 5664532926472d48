/** @module `?model=<key>`: which of the served models (`MODELS`, else `MODEL_KEY`) answers a request. */
import { servedModels } from '../durable-objects/serving-config.ts';
import { HttpError } from './http/errors.ts';
import type { Env } from './env.ts';

/** The requested model, or the default (the first served) when the query names none. */
export function chooseModel(url: URL, env: Env): string {
  const models = servedModels(env);
  const asked = url.searchParams.get('model');
  if (asked === null) return models[0];
  if (models.includes(asked)) return asked;
  throw new HttpError(400, 'unknown_model', `No model "${asked.slice(0, 100)}" is served here; ?model= takes one of: ${models.join(', ')}.`);
}
