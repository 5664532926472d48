/**
 * @module A model's manifest: how to feed it and read it, stored in R2 beside the model as
 * `<model key>.manifest.json` (written by `npm run model:put -- <file.onnx> --key K --manifest m.json`).
 * Every field is optional; what is left out is the SPEC's preprocessing (the ONNX model zoo's ImageNet recipe)
 * and the shared `LABELS_KEY`. Unknown fields are refused, so a typo ("stdev") is an error, not a silent default.
 *
 * ```json
 * {
 *   "input": "data",            // graph input that takes the image (default: the model's only input)
 *   "layout": "NCHW",           // or "NHWC"
 *   "size": 224,                // side of the square center crop
 *   "resize": 256,              // the shorter side is resized to this before the crop
 *   "scale": 1,                 // pixels are scaled to [0, scale] before mean/std: 1, or 255 for Caffe-style models
 *   "mean": [0.485, 0.456, 0.406],
 *   "std": [0.229, 0.224, 0.225],
 *   "labels": "synset.txt",     // R2 key of the label list, one `<id> <name>` line per class
 *   "output": "logits"          // or "probabilities" (default: probabilities when the graph ends in Softmax)
 * }
 * ```
 */
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE, RESIZE_SHORTER } from '../images/constants.ts';

type Triple = readonly [number, number, number];

/** A manifest with every default filled in (labels and output stay optional: their defaults need the model). */
export interface ModelManifest {
  input?: string;
  layout: 'NCHW' | 'NHWC';
  size: number;
  resize: number;
  scale: number;
  mean: Triple;
  std: Triple;
  labels?: string;
  output?: 'logits' | 'probabilities';
}

export const DEFAULT_MANIFEST: ModelManifest = {
  layout: 'NCHW',
  size: INPUT_SIZE,
  resize: RESIZE_SHORTER,
  scale: 1,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
};

/** Crops larger than this are not an image classifier's input and would not fit a Worker's memory either. */
const MAX_SIDE = 4096;

/** Where a model's manifest lives in R2. */
export function manifestKey(modelKey: string): string {
  return `${modelKey}.manifest.json`;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

type Check = (value: unknown) => string | undefined;

const positiveInt: Check = (v) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SIDE ? undefined : `a whole number from 1 to ${MAX_SIDE}`);
const nonEmptyString: Check = (v) => (typeof v === 'string' && v.trim().length > 0 ? undefined : 'a non-empty string');
const oneOf = (...allowed: string[]): Check => (v) => (allowed.includes(v as string) ? undefined : allowed.map((a) => `"${a}"`).join(' or '));
const triple = (positive: boolean): Check => (v) =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))
    ? undefined
    : `three ${positive ? 'positive ' : ''}numbers, one per RGB channel`;
const positiveNumber: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a positive number (1 for [0, 1], 255 for [0, 255])');

const FIELDS: Record<keyof ModelManifest, Check> = {
  input: nonEmptyString,
  layout: oneOf('NCHW', 'NHWC'),
  size: positiveInt,
  resize: positiveInt,
  scale: positiveNumber,
  mean: triple(false),
  std: triple(true),
  labels: nonEmptyString,
  output: oneOf('logits', 'probabilities'),
};

/**
 * Parses and checks a manifest's JSON text; throws ManifestError naming every bad field and what it must be.
 * `source` names the file or R2 key in messages.
 */
export function parseManifest(text: string, source: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${source} is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ManifestError(`${source} must be a JSON object, e.g. {"labels": "labels.txt"}.`);
  const problems: string[] = [];
  for (const [field, value] of Object.entries(raw)) {
    const check = FIELDS[field as keyof ModelManifest];
    if (!check) {
      problems.push(`unknown field "${field}" (known: ${Object.keys(FIELDS).join(', ')})`);
      continue;
    }
    const want = check(value);
    if (want) problems.push(`"${field}" must be ${want}, got ${JSON.stringify(value)?.slice(0, 60)}`);
  }
  const manifest = { ...DEFAULT_MANIFEST, ...(raw as Partial<ModelManifest>) };
  if (problems.length === 0 && manifest.resize < manifest.size) {
    problems.push(`"resize" (${manifest.resize}) must be at least "size" (${manifest.size}): the crop is taken from the resized image`);
  }
  if (problems.length > 0) throw new ManifestError(`${source}: ${problems.join('; ')}.`);
  return manifest;
}

/** The graph input's dims the manifest implies: one image of size x size, channels where the layout puts them. */
export function inputDims(m: ModelManifest): number[] {
  return m.layout === 'NCHW' ? [1, 3, m.size, m.size] : [1, m.size, m.size, 3];
}
