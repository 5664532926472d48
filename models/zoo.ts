/** @module The real model and labels (ONNX model zoo), with the sizes and SHA-256 that SPEC.md fixes. */

export interface ZooFile {
  /** Path under the zoo's base URL. */
  path: string;
  bytes: number;
  sha256: string;
}

/** Where the model zoo serves raw files; MODEL_FETCH_BASE_URL overrides it (tests use a local server). */
export const ZOO_BASE_URL = 'https://github.com/onnx/models/raw/main/validated/vision/classification/';

export const SQUEEZENET11_ZOO: ZooFile = {
  path: 'squeezenet/model/squeezenet1.1-7.onnx',
  bytes: 4_956_208,
  sha256: '1eeff551a67ae8d565ca33b572fc4b66e3ef357b0eb2863bb9ff47a918cc4088',
};

export const SYNSET_ZOO: ZooFile = {
  path: 'synset.txt',
  bytes: -1, // size not fixed by SPEC.md; the SHA-256 is
  sha256: 'acf75ef0abe89694b19056e0796401068b459c457baa30335f240c7692857355',
};
