/**
 * @module `npm run model:fetch`: downloads the real SqueezeNet 1.1 and its ImageNet labels from the ONNX model
 * zoo, verifies both by SHA-256 and only then stores them in local R2, so a failure leaves R2 as it was.
 */
import { pathToFileURL } from 'node:url';
import { readProjectConfig, type ProjectConfig } from './project-config.ts';
import { deleteLocalObject, getLocalObject, putLocalObject } from './local-r2.ts';
import { download } from './download.ts';
import { SQUEEZENET11_ZOO, SYNSET_ZOO, ZOO_BASE_URL } from '../models/zoo.ts';

export interface FetchOptions {
  log: (line: string) => void;
  timeoutMs?: number;
  baseUrl?: string;
}

export async function fetchModel(config: ProjectConfig, o: FetchOptions): Promise<void> {
  const base = o.baseUrl ?? process.env.MODEL_FETCH_BASE_URL ?? ZOO_BASE_URL;
  const common = { log: o.log, timeoutMs: o.timeoutMs };
  const model = await download(new URL(SQUEEZENET11_ZOO.path, base).href, { ...common, label: 'squeezenet1.1-7.onnx', expectedBytes: SQUEEZENET11_ZOO.bytes, expectedSha256: SQUEEZENET11_ZOO.sha256 });
  const labels = await download(new URL(SYNSET_ZOO.path, base).href, { ...common, label: 'synset.txt', expectedBytes: SYNSET_ZOO.bytes, expectedSha256: SYNSET_ZOO.sha256 });
  const previousModel = await getLocalObject(config.bucket, config.modelKey);
  await putLocalObject(config.bucket, config.modelKey, model);
  try {
    await putLocalObject(config.bucket, config.labelsKey, labels);
  } catch (e) {
    // Put the previous model back (or remove ours) so R2 never pairs the new model with old labels.
    if (previousModel) await putLocalObject(config.bucket, config.modelKey, previousModel);
    else await deleteLocalObject(config.bucket, config.modelKey);
    throw e;
  }
  o.log(`stored ${config.modelKey} (${model.byteLength} bytes, sha256 ${SQUEEZENET11_ZOO.sha256}) and ${config.labelsKey} in local R2`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  fetchModel(readProjectConfig(), { log: (l) => console.log(l) }).catch((e: Error) => {
    console.error(`error: could not fetch the model: ${e.message}`);
    console.error('Offline? `npm start` serves the seeded stand-in instead (npm run model:generate), marked as such in /healthz.');
    process.exit(1);
  });
}
