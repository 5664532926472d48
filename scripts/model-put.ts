/**
 * @module `npm run model:put -- <file.onnx> [--key <key>] [--labels <file.txt>] [--manifest <file.json>]`: stores
 * an ONNX classifier in the local R2 that `npm start` / `wrangler dev` serve, under `--key` (default MODEL_KEY;
 * list it in MODELS to serve it beside the others), with its label list and manifest (durable-objects/manifest.ts)
 * beside it. Everything is checked before anything is stored, so a bad file never replaces a working model.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { parseModel } from '../engine/onnx/parse.ts';
import { parseLabels } from '../durable-objects/labels.ts';
import { manifestKey, parseManifest } from '../durable-objects/manifest.ts';
import { LOCAL_STATE_DIR, readProjectConfig, type ProjectConfig } from './project-config.ts';
import { getLocalObject, putLocalObject } from './local-r2.ts';

const USAGE = 'usage: npm run model:put -- <file.onnx> [--key <key>] [--labels <file.txt>] [--manifest <file.json>]';

export interface PutOptions {
  /** R2 key of the model (default: MODEL_KEY). */
  key?: string;
  labelsFile?: string;
  manifestFile?: string;
  /** Local R2 state folder (default: wrangler dev's .wrangler/state). */
  persistTo?: string;
  log: (line: string) => void;
}

/** The keys written, for the caller's message and tests. */
export interface PutResult {
  model: string;
  labels?: string;
  manifest?: string;
}

/**
 * Where a label list goes: the manifest's `labels` key if it names one; the shared LABELS_KEY for the default
 * model (SPEC: model:put stores under the configured keys); else `<key>.labels.txt`, so one model's labels never
 * replace another's.
 */
function labelsKeyFor(key: string, manifestLabels: string | undefined, config: ProjectConfig): string {
  return manifestLabels ?? (key === config.modelKey ? config.labelsKey : `${key}.labels.txt`);
}

export async function putModel(config: ProjectConfig, modelFile: string, o: PutOptions): Promise<PutResult> {
  const key = o.key ?? config.modelKey;
  const persistTo = o.persistTo ?? LOCAL_STATE_DIR;
  const model = new Uint8Array(await readFile(modelFile));
  // Refuse what the service could never load, before it replaces a working model.
  const graph = parseModel(model);

  // The manifest as given (or as stored, when only labels change): its own fields, not the defaults filled in.
  let manifest: Record<string, unknown> | undefined;
  if (o.manifestFile) {
    const text = await readFile(o.manifestFile, 'utf8');
    const checked = parseManifest(text, o.manifestFile);
    if (checked.input && !graph.inputs.some((i) => i.name === checked.input)) {
      throw new Error(`${o.manifestFile}: "input" is "${checked.input}", but ${modelFile} has the inputs ${graph.inputs.map((i) => `"${i.name}"`).join(', ')}`);
    }
    manifest = JSON.parse(text) as Record<string, unknown>;
  }
  let labels: Uint8Array | undefined;
  let labelsKey: string | undefined;
  if (o.labelsFile) {
    labels = new Uint8Array(await readFile(o.labelsFile));
    const classes = parseLabels(new TextDecoder().decode(labels)).length;
    if (classes === 0) throw new Error(`${o.labelsFile} has no labels: write one "<id> <name>" line per class`);
    o.log(`labels: ${classes} classes from ${o.labelsFile}`);
    if (!manifest) {
      const stored = await getLocalObject(config.bucket, manifestKey(key), persistTo);
      if (stored) manifest = JSON.parse(new TextDecoder().decode(stored)) as Record<string, unknown>;
    }
    labelsKey = labelsKeyFor(key, manifest?.labels as string | undefined, config);
    // A model of its own key that had no manifest gets one, pointing at its labels.
    if (labelsKey !== config.labelsKey && manifest?.labels !== labelsKey) manifest = { ...manifest, labels: labelsKey };
  }

  const named = manifest?.labels as string | undefined;
  if (named && !labels && !(await getLocalObject(config.bucket, named, persistTo))) {
    o.log(`warning: the manifest names the label file "${named}", which is not stored yet: add --labels <file.txt>, or the service answers 503 model_missing`);
  }

  if (labels && labelsKey) await putLocalObject(config.bucket, labelsKey, labels, persistTo);
  if (manifest) await putLocalObject(config.bucket, manifestKey(key), new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n'), persistTo);
  await putLocalObject(config.bucket, key, model, persistTo);
  const standIn = graph.metadata.get('stand_in') === 'true' ? ' (a stand-in with random weights)' : '';
  o.log(`stored ${modelFile} (${model.byteLength} bytes, opset ${graph.opset})${standIn} as ${config.bucket}/${key} in local R2`);
  if (manifest) o.log(`manifest: ${config.bucket}/${manifestKey(key)} ${JSON.stringify(manifest)}`);
  if (key !== config.modelKey) o.log(`to serve it, list "${key}" in MODELS (wrangler.toml [vars], or --var MODELS:...) and ask for it with ?model=${key}`);
  return { model: key, ...(labelsKey ? { labels: labelsKey } : {}), ...(manifest ? { manifest: manifestKey(key) } : {}) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { key: { type: 'string' }, labels: { type: 'string' }, manifest: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    console.error(USAGE);
    process.exit(2);
  }
  putModel(readProjectConfig(), positionals[0], { key: values.key, labelsFile: values.labels, manifestFile: values.manifest, log: (l) => console.log(l) }).catch((e: Error) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  });
}
