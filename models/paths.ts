/** @module Where the generated stand-in models live; the one place tests, tools and scripts take these names from. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const SQUEEZENET11_FILE = 'squeezenet1.1-7.onnx';
export const SQUEEZENET10_FILE = 'squeezenet1.0-9.onnx';

/** models/generated/ (git-ignored: the models are rebuilt from code and a seed, never committed). */
export const GENERATED_DIR = fileURLToPath(new URL('./generated/', import.meta.url));

export const SQUEEZENET11_PATH = join(GENERATED_DIR, SQUEEZENET11_FILE);
export const SQUEEZENET10_PATH = join(GENERATED_DIR, SQUEEZENET10_FILE);

/**
 * The ImageNet class list shipped with the project: 1000 lines `<synset> <name>`, byte for byte the ONNX model
 * zoo's `validated/vision/classification/synset.txt` (sha256 acf75ef0abe89694b19056e0796401068b459c457baa30335f240c7692857355,
 * the file `npm run model:fetch` downloads). Stand-ins answer with these labels; tests read them from here.
 */
export const IMAGENET_SYNSETS_PATH = fileURLToPath(new URL('./imagenet-synsets.txt', import.meta.url));
