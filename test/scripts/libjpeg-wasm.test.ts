/**
 * scripts/build-libjpeg-wasm.sh rebuilds images/libjpeg/libjpeg-turbo.wasm from Debian's libjpeg-turbo source and
 * our decoder.c with Debian's emscripten: the committed binary must be exactly what the script makes. Needs
 * emscripten and dpkg-dev (.ci/run and `npm test`'s system check install them as root) and Debian's archive.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../scripts/project-config.ts';

it('the build script reproduces the committed libjpeg-turbo.wasm byte for byte', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'libjpeg-wasm-'));
  try {
    const out = path.join(dir, 'libjpeg-turbo.wasm');
    const log = execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'build-libjpeg-wasm.sh'), out], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(log.trim().split('\n').at(-1));
    const built = readFileSync(out);
    const committed = readFileSync(path.join(PROJECT_ROOT, 'images', 'libjpeg', 'libjpeg-turbo.wasm'));
    expect(built.length).toBe(committed.length);
    expect(built.equals(committed)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
