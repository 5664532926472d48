// Node module hooks: `import src from './x.wgsl'` yields the file's text, as the Vite plugin
// (vitest.config.ts) and wrangler's Text rule (wrangler.toml) do in their runtimes.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (url.endsWith('.wgsl')) {
    const text = await readFile(new URL(url), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
