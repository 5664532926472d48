/**
 * @module Makes sure local R2 holds a model for `npm start`: the one already stored, else the real SqueezeNet
 * via model:fetch, else the seeded stand-in (loudly marked: its labels are meaningless).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT, type ProjectConfig } from './project-config.ts';
import { getLocalObject, putLocalObject } from './local-r2.ts';

export interface ProvisionedModel {
  source: 'stored' | 'fetched' | 'stand-in';
  bytes: number;
}

/** The workplace's label list, used for the stand-in in development checkouts only (users get synset.txt from model:fetch). */
const DEV_LABELS = path.join(PROJECT_ROOT, '..', 'shared', 'data', 'imagenet-synsets.txt');

export async function provisionModel(config: ProjectConfig, log: (line: string) => void): Promise<ProvisionedModel> {
  const stored = await getLocalObject(config.bucket, config.modelKey);
  if (stored) return { source: 'stored', bytes: stored.byteLength };

  log(`No model in local R2 under "${config.modelKey}": trying npm run model:fetch...`);
  try {
    const { fetchModel } = await import('./model-fetch.ts');
    return { source: 'fetched', bytes: await fetchModel(config, { log, timeoutMs: 20_000 }) };
  } catch (e) {
    log(`model:fetch failed (${(e as Error).message}); using the generated stand-in instead.`);
  }

  const { ensureGeneratedModels } = await import('../models/generate.ts');
  const paths = await ensureGeneratedModels();
  const bytes = new Uint8Array(await readFile(paths.squeezenet11));
  await putLocalObject(config.bucket, config.modelKey, bytes);
  if (!(await getLocalObject(config.bucket, config.labelsKey)) && existsSync(DEV_LABELS)) {
    await putLocalObject(config.bucket, config.labelsKey, new Uint8Array(await readFile(DEV_LABELS)));
  }
  return { source: 'stand-in', bytes: bytes.byteLength };
}
