// Makes sure the machine can open a WebGPU adapter: with no GPU driver, Dawn needs Mesa's llvmpipe
// (OpenGL ES) and its loaders. With --tests, also the ONNX backend node tests (Debian's libonnx-testdata) that
// engine-cli/node-tests.test.ts runs. Installs them with apt when root, else prints the exact command.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = ['libvulkan1', 'mesa-vulkan-drivers', 'libegl1', 'libgles2', ...(process.argv.includes('--tests') ? ['libonnx-testdata'] : [])];

function missingPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) return [];
  return PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return !(r.status === 0 && r.stdout.includes('install ok installed'));
  });
}

const missing = missingPackages();
if (missing.length === 0) process.exit(0);
const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(`Missing system packages: ${missing.join(', ')}. Run as root:\n  ${command}`);
  process.exit(1);
}
console.log(`Installing ${missing.join(', ')} (Mesa for WebGPU without a GPU driver; ONNX test data for the tests)...`);
execFileSync('bash', ['-c', `DEBIAN_FRONTEND=noninteractive ${command}`], { stdio: 'inherit' });
