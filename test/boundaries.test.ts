/**
 * The layout's import rules, checked on the import lines themselves: the GPU host needs nothing from the engine,
 * the bench, the models or the scripts (what it shares with them is in gpu/ and bridge/); the engine imports
 * neither Node nor Workers APIs, nor any part that does; gpu/ stands alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/project-config.ts';

/** Every import specifier of every .ts file under `folder`, as `file: specifier`. */
function importsOf(folder: string): string[] {
  const files = readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return files.flatMap((f) => {
    const text = readFileSync(path.join(PROJECT_ROOT, folder, f), 'utf8');
    return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => `${folder}/${f}: ${m[1]}`);
  });
}

describe('import boundaries', () => {
  it('gpu-host/ imports nothing from engine/, bench/, models/ or scripts/', () => {
    const imports = importsOf('gpu-host');
    expect(imports.length).toBeGreaterThan(20);
    expect(imports.filter((i) => /: (\.\.\/)+(engine|bench|models|scripts)\//.test(i))).toEqual([]);
  });

  it('engine/ (tests aside) imports no Node or Workers API and nothing from the parts that do', () => {
    const imports = importsOf('engine').filter((i) => !i.split(':')[0].endsWith('.test.ts'));
    expect(imports.filter((i) => /: (node:|cloudflare:|(\.\.\/)+(gpu-host|bench|scripts|worker|durable-objects|models|engine-cli|test)\/)/.test(i))).toEqual([]);
  });

  it('gpu/ imports nothing', () => {
    expect(importsOf('gpu')).toEqual([]);
  });
});
