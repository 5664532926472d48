/**
 * @module Makes sure local R2 holds a model for `npm start`: the one already stored, else the real SqueezeNet
 * via model:fetch, else the seeded stand-in (loudly marked: its labels are meaningless).
 */
import { readFile } from 'node:fs/promises';
import { IMAGENET_SYNSETS_PATH } from '../models/paths.ts';
import type { ProjectConfig } from './project-config.ts';
import { getLocalObject, putLocalObject } from './local-r2.ts';

export interface ProvisionedModel {
  source: 'stored' | 'fetched' | 'stand-in';
  bytes: number;
}

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
  // The stand-in answers with real label lines (the banner and /healthz still say it is a stand-in).
  if (!(await getLocalObject(config.bucket, config.labelsKey))) {
    await putLocalObject(config.bucket, config.labelsKey, new Uint8Array(await readFile(IMAGENET_SYNSETS_PATH)));
  }
  return { source: 'stand-in', bytes: bytes.byteLength };
}
