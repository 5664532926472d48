/**
 * @module `npm run onnx:node-tests`: every ONNX backend node test of our op registry (engine-cli/node-tests.ts)
 * through `onnx test`: one PASS/FAIL line per case and the closing `N passed, N failed`.
 */
import { KERNELS } from '../engine/index.ts';
import { openCliDevice } from '../engine-cli/device.ts';
import { testDirs } from '../engine-cli/test-dirs.ts';
import { ONNX_NODE_TEST_DIR, registryNodeTests } from '../engine-cli/node-tests.ts';
import { join } from 'node:path';

try {
  const dirs = registryNodeTests(KERNELS).map((name) => join(ONNX_NODE_TEST_DIR, name));
  const device = await openCliDevice();
  const results = await testDirs(dirs, device, (line) => process.stdout.write(`${line}\n`));
  device.device.destroy();
  process.exit(results.every((r) => r.pass) ? 0 : 1);
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exit(1);
}
