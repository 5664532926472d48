/** Every WGSL file names itself on its first line: that line is where compiler messages get the path from. */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wgslSource } from './source.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function wgslFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? wgslFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.wgsl') ? [join(dir, e.name)] : []))));
  return nested.flat();
}

describe('WGSL sources', () => {
  it('every file under shaders/ names its own path on its first line', async () => {
    const files = await wgslFiles(join(ROOT, 'shaders'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const path = relative(ROOT, file).split('\\').join('/');
      expect(wgslSource(await readFile(file, 'utf8')).path, file).toBe(path);
    }
  });

  it('refuses text whose first line names no .wgsl file', () => {
    expect(() => wgslSource('// adds things\nfn f() {}')).toThrow(/must start with a comment naming its file/);
    expect(wgslSource('// kernels/mine.wgsl: adds things').path).toBe('kernels/mine.wgsl');
  });
});
