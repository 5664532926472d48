/**
 * @module The ONNX backend node tests that concern our op registry, from Debian's `libonnx-testdata` (installed by
 * scripts/system-check.mjs, as Mesa is): every `node/<case>` whose graph uses only registry ops in the default
 * domain, with float32 outputs and float32 inputs, or int64 inputs that are operands (Reshape's shape, Squeeze's
 * and Unsqueeze's axes). Cases on other element types (uint8/int8 Add, Clip, MaxPool) or with int64 outputs
 * (MaxPool's indices) are out: the engine computes in float32.
 *
 * `npm run onnx:node-tests` runs them all through `onnx test` and prints its `N passed, N failed` line.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { kernelKey } from '../engine/kernel.ts';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** Where Debian's libonnx-testdata puts the node tests (the same tree as onnx/backend/test/data/node). */
export const ONNX_NODE_TEST_DIR = '/usr/share/libonnx-testdata/data/node';

const ONNX_TESTDATA_MISSING = `${ONNX_NODE_TEST_DIR} is missing: install Debian's ONNX test data (as root: apt-get install -y libonnx-testdata; npm test does it through scripts/system-check.mjs)`;

const elemType = (v: { type?: { tensorType?: { elemType?: number | null } | null } | null }): number | null | undefined => v.type?.tensorType?.elemType;

/** Names of the node-test cases for the given op registry, sorted. Throws when the test data is not installed. */
export function registryNodeTests(kernels: Readonly<Record<string, unknown>>, root = ONNX_NODE_TEST_DIR): string[] {
  if (!existsSync(root)) throw new Error(ONNX_TESTDATA_MISSING);
  return readdirSync(root).sort().filter((name) => {
    const graph = onnx.ModelProto.decode(readFileSync(join(root, name, 'model.onnx'))).graph;
    if (!graph) return false;
    const opsOk = (graph.node ?? []).every((n) => Object.hasOwn(kernels, kernelKey({ domain: n.domain ?? '', opType: n.opType ?? '' })));
    const inputsOk = (graph.input ?? []).every((v) => elemType(v) === T.FLOAT || elemType(v) === T.INT64);
    const outputsOk = (graph.output ?? []).every((v) => elemType(v) === T.FLOAT);
    return opsOk && inputsOk && outputsOk;
  });
}
