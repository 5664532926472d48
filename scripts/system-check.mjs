// Makes sure the machine can open a WebGPU adapter: with no GPU driver, Dawn needs Mesa's llvmpipe
// (OpenGL ES) and its loaders. With --tests (npm test) also what the tests use beyond Node: the ONNX backend node
// tests (Debian's libonnx-testdata, run by engine-cli/node-tests.test.ts), Debian's emscripten and dpkg-dev (the
// libjpeg wasm is rebuilt and compared) and python3-pil (crops checked against PIL).
// Installs them with apt when root, else prints the exact command.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = ['libvulkan1', 'mesa-vulkan-drivers', 'libegl1', 'libgles2', ...(process.argv.includes('--tests') ? ['libonnx-testdata', 'emscripten', 'dpkg-dev', 'python3-pil'] : [])];

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
console.log(`Installing ${missing.join(', ')} (Mesa for WebGPU without a GPU driver; ONNX test data, emscripten, dpkg-dev and python3-pil for the tests)...`);
execFileSync('bash', ['-c', `DEBIAN_FRONTEND=noninteractive ${command}`], { stdio: 'inherit' });
