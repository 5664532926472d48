/**
 * @module `npm run model:put -- <file.onnx> [--labels <file.txt>]`: stores an ONNX classifier (and optionally its
 * label list) in the local R2 that `npm start` / `wrangler dev` serve, under the keys of wrangler.toml.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseModel } from '../engine/onnx/parse.ts';
import { parseLabels } from '../durable-objects/labels.ts';
import { readProjectConfig } from './project-config.ts';
import { putLocalObject } from './local-r2.ts';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { labels: { type: 'string' } } });
  if (positionals.length !== 1) {
    console.error('usage: npm run model:put -- <file.onnx> [--labels <file.txt>]');
    process.exit(2);
  }
  const config = readProjectConfig();
  const model = new Uint8Array(await readFile(positionals[0]));
  // Refuse what the service could never load, before it replaces a working model.
  const graph = parseModel(model);
  const labels = values.labels ? new Uint8Array(await readFile(values.labels)) : undefined;
  if (labels) {
    console.log(`labels: ${parseLabels(new TextDecoder().decode(labels)).length} classes from ${values.labels}`);
    await putLocalObject(config.bucket, config.labelsKey, labels);
  }
  await putLocalObject(config.bucket, config.modelKey, model);
  const standIn = graph.metadata.get('stand_in') === 'true' ? ' (a stand-in with random weights)' : '';
  console.log(`stored ${positionals[0]} (${model.byteLength} bytes, opset ${graph.opset})${standIn} as ${config.bucket}/${config.modelKey} in local R2`);
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
