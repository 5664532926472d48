import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD } from '../images/constants.ts';
import { DEFAULT_MANIFEST, inputDims, ManifestError, manifestKey, parseManifest } from './manifest.ts';

describe('model manifest', () => {
  it('an empty manifest is the SPEC preprocessing: NCHW 224 from 256, [0, 1], ImageNet mean/std', () => {
    expect(parseManifest('{}', 'm.json')).toEqual({ layout: 'NCHW', size: 224, resize: 256, scale: 1, mean: IMAGENET_MEAN, std: IMAGENET_STD });
    expect(inputDims(DEFAULT_MANIFEST)).toEqual([1, 3, 224, 224]);
    expect(manifestKey('resnet50.onnx')).toBe('resnet50.onnx.manifest.json');
  });

  it('takes every field', () => {
    const m = parseManifest(
      JSON.stringify({ input: 'image', layout: 'NHWC', size: 299, resize: 342, scale: 255, mean: [123.7, 116.3, 103.5], std: [58.4, 57.1, 57.4], labels: 'l.txt', output: 'probabilities' }),
      'm.json',
    );
    expect(m).toMatchObject({ input: 'image', layout: 'NHWC', size: 299, labels: 'l.txt', output: 'probabilities' });
    expect(inputDims(m)).toEqual([1, 299, 299, 3]);
  });

  it.each([
    ['not json', /m\.json is not valid JSON/],
    ['[1, 2]', /m\.json must be a JSON object/],
    ['{"std": [0.2, 0, 0.2]}', /"std" must be three positive numbers, one per RGB channel, got \[0.2,0,0.2\]/],
    ['{"mean": [1, 2]}', /"mean" must be three numbers/],
    ['{"size": 224.5}', /"size" must be a whole number from 1 to 4096/],
    ['{"size": 256, "resize": 224}', /"resize" \(224\) must be at least "size" \(256\)/],
    ['{"scale": 0}', /"scale" must be a positive number/],
    ['{"output": "scores"}', /"output" must be "logits" or "probabilities"/],
    ['{"labels": ""}', /"labels" must be a non-empty string/],
    ['{"Layout": "NCHW", "std": "1"}', /unknown field "Layout" \(known: input, layout.*\); "std" must be/],
  ])('refuses %s, naming what is wrong', (text, message) => {
    expect(() => parseManifest(text, 'm.json')).toThrow(ManifestError);
    expect(() => parseManifest(text, 'm.json')).toThrow(message);
  });
});
