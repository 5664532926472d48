/**
 * Keeps README.md honest: every `npm run` script it shows exists, every repository path it names exists, and
 * its test line is exactly what CI runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/project-config.ts';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const scripts = Object.keys((JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

describe('README.md', () => {
  it('should only mention npm scripts that exist', () => {
    const used = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(5);
    for (const s of new Set(used)) expect(scripts, `npm run ${s}`).toContain(s);
  });

  it('should only name repository files and folders that exist', () => {
    const paths = [...readme.matchAll(/`((?:worker|durable-objects|images|engine|shaders|bridge|gpu-host|models|engine-cli|scripts|bench|test|docs)\/[\w./-]*)`/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(5);
    for (const p of new Set(paths)) {
      if (p.startsWith('models/generated/')) continue; // written by npm run model:generate
      expect(existsSync(path.join(PROJECT_ROOT, p)), p).toBe(true);
    }
  });

  it('should give the test line that .ci/run runs, and a run line', () => {
    const ci = readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8').trim().split('\n').at(-1);
    expect(readme).toContain(`\n${ci}\n`);
    expect(readme).toContain('\nnpm install && npm start\n');
  });
});
