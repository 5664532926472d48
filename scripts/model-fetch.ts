/**
 * @module `npm run model:fetch`: downloads the real SqueezeNet 1.1 and its ImageNet labels from the ONNX model
 * zoo, verifies both by SHA-256 and only then stores them in local R2, so a failure leaves R2 as it was.
 */
import { pathToFileURL } from 'node:url';
import { LOCAL_STATE_DIR, readProjectConfig, type ProjectConfig } from './project-config.ts';
import { deleteLocalObject, getLocalObject, putLocalObject } from './local-r2.ts';
import { download } from './download.ts';
import { SQUEEZENET11_ZOO, SYNSET_ZOO, ZOO_BASE_URL, type ZooFile } from '../models/zoo.ts';

export interface FetchOptions {
  log: (line: string) => void;
  timeoutMs?: number;
  /** Default: MODEL_FETCH_BASE_URL, else the model zoo. */
  baseUrl?: string;
  /** What to download and expect (default: SPEC.md's SqueezeNet 1.1 and synset.txt). */
  files?: { model: ZooFile; labels: ZooFile };
  /** Local R2 state folder (default: wrangler dev's .wrangler/state). */
  persistTo?: string;
  retries?: number;
}

/** Resolves to the stored model's size in bytes. */
export async function fetchModel(config: ProjectConfig, o: FetchOptions): Promise<number> {
  const base = o.baseUrl ?? process.env.MODEL_FETCH_BASE_URL ?? ZOO_BASE_URL;
  const files = o.files ?? { model: SQUEEZENET11_ZOO, labels: SYNSET_ZOO };
  const persistTo = o.persistTo ?? LOCAL_STATE_DIR;
  const common = { log: o.log, timeoutMs: o.timeoutMs, retries: o.retries };
  const get = (f: ZooFile) =>
    download(new URL(f.path, base).href, { ...common, label: f.path.split('/').pop()!, expectedBytes: f.bytes, expectedSha256: f.sha256 });
  // Both verified before anything is stored: a failed or tampered download leaves R2 as it was.
  const model = await get(files.model);
  const labels = await get(files.labels);
  const previousModel = await getLocalObject(config.bucket, config.modelKey, persistTo);
  await putLocalObject(config.bucket, config.modelKey, model, persistTo);
  try {
    await putLocalObject(config.bucket, config.labelsKey, labels, persistTo);
  } catch (e) {
    // Put the previous model back (or remove ours) so R2 never pairs the new model with old labels.
    if (previousModel) await putLocalObject(config.bucket, config.modelKey, previousModel, persistTo);
    else await deleteLocalObject(config.bucket, config.modelKey, persistTo);
    throw e;
  }
  o.log(`stored ${config.modelKey} (${model.byteLength} bytes, sha256 ${files.model.sha256}) and ${config.labelsKey} in local R2`);
  return model.byteLength;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  fetchModel(readProjectConfig(), { log: (l) => console.log(l) }).catch((e: Error) => {
    console.error(`error: could not fetch the model: ${e.message}`);
    console.error('Offline? `npm start` serves the seeded stand-in instead (npm run model:generate), marked as such in /healthz.');
    process.exit(1);
  });
}
