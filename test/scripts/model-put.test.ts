/**
 * model:put into a temporary local R2 (scripts/local-r2.ts, wrangler's own CLI): where the model, its labels and
 * its manifest go for the default key and for a key of its own, and that a bad manifest stores nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestKey } from '../../durable-objects/manifest.ts';
import { getLocalObject } from '../../scripts/local-r2.ts';
import { putModel } from '../../scripts/model-put.ts';
import { readProjectConfig } from '../../scripts/project-config.ts';
import { colourProbeModel, COLOUR_LABELS } from '../reliability/support.ts';

describe('npm run model:put', () => {
  const config = readProjectConfig();
  let dir: string;
  let persistTo: string;
  const files = { model: '', labels: '', manifest: '', badManifest: '' };
  const read = async (key: string) => {
    const bytes = await getLocalObject(config.bucket, key, persistTo);
    return bytes && new TextDecoder().decode(bytes);
  };
  const log = () => undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'model-put-'));
    persistTo = path.join(dir, 'state');
    files.model = path.join(dir, 'colours.onnx');
    files.labels = path.join(dir, 'labels.txt');
    files.manifest = path.join(dir, 'manifest.json');
    files.badManifest = path.join(dir, 'bad.json');
    await writeFile(files.model, colourProbeModel());
    await writeFile(files.labels, COLOUR_LABELS);
    await writeFile(files.manifest, JSON.stringify({ input: 'data', scale: 255, mean: [0, 0, 0], std: [1, 1, 1], labels: 'colour-names.txt' }));
    await writeFile(files.badManifest, JSON.stringify({ layout: 'CHW', stdev: [1, 1, 1] }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the default key: the model under MODEL_KEY, its labels under LABELS_KEY, no manifest', async () => {
    const result = await putModel(config, files.model, { labelsFile: files.labels, persistTo, log });
    expect(result).toEqual({ model: config.modelKey, labels: config.labelsKey });
    expect(await read(config.labelsKey)).toBe(COLOUR_LABELS);
    expect(await getLocalObject(config.bucket, config.modelKey, persistTo)).toEqual(new Uint8Array(await readFile(files.model)));
    expect(await read(manifestKey(config.modelKey))).toBeUndefined();
  });

  it('a key of its own with --labels: the labels beside it and a manifest pointing at them (the shared labels stay)', async () => {
    await writeFile(files.labels, 'r rouge\ng vert\nb bleu\n');
    const result = await putModel(config, files.model, { key: 'couleurs.onnx', labelsFile: files.labels, persistTo, log });
    expect(result).toEqual({ model: 'couleurs.onnx', labels: 'couleurs.onnx.labels.txt', manifest: 'couleurs.onnx.manifest.json' });
    expect(await read('couleurs.onnx.labels.txt')).toBe('r rouge\ng vert\nb bleu\n');
    expect(JSON.parse((await read('couleurs.onnx.manifest.json'))!)).toEqual({ labels: 'couleurs.onnx.labels.txt' });
    expect(await read(config.labelsKey)).toBe(COLOUR_LABELS);
  });

  it('--manifest: stored as given, labels under the key it names', async () => {
    const result = await putModel(config, files.model, { key: 'caffe.onnx', labelsFile: files.labels, manifestFile: files.manifest, persistTo, log });
    expect(result).toEqual({ model: 'caffe.onnx', labels: 'colour-names.txt', manifest: 'caffe.onnx.manifest.json' });
    expect(JSON.parse((await read('caffe.onnx.manifest.json'))!)).toEqual(JSON.parse(await readFile(files.manifest, 'utf8')));
    expect(await read('colour-names.txt')).toBe('r rouge\ng vert\nb bleu\n');
  });

  it('a bad manifest, or one naming an input the model lacks, is refused with every problem named and nothing stored', async () => {
    await expect(putModel(config, files.model, { key: 'bad.onnx', manifestFile: files.badManifest, persistTo, log })).rejects.toThrow(
      /bad\.json: "layout" must be "NCHW" or "NHWC", got "CHW"; unknown field "stdev"/,
    );
    await writeFile(files.badManifest, JSON.stringify({ input: 'image' }));
    await expect(putModel(config, files.model, { key: 'bad.onnx', manifestFile: files.badManifest, persistTo, log })).rejects.toThrow(/"input" is "image", but .* has the inputs "data"/);
    expect(await read('bad.onnx')).toBeUndefined();
    expect(await read(manifestKey('bad.onnx'))).toBeUndefined();
  });
});
