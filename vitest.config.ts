import { defineConfig, type Plugin } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';

/** `import src from './x.wgsl'` yields the text, as in wrangler (Text rule) and Node (tools/wgsl-hooks.mjs). */
export function wgslText(): Plugin {
  return {
    name: 'wgsl-text',
    transform(code, id) {
      if (id.endsWith('.wgsl')) return { code: `export default ${JSON.stringify(code)};`, map: null };
      return undefined;
    },
  };
}

/**
 * `import mod from './x.wasm'` yields a compiled WebAssembly.Module, as wrangler's CompiledWasm rule does, so
 * images/ (which imports its codecs that way) also runs in the Node project.
 */
export function wasmModule(): Plugin {
  return {
    name: 'wasm-module',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('.wasm')) return undefined;
      return `import { readFileSync } from 'node:fs';\nexport default new WebAssembly.Module(readFileSync(${JSON.stringify(id)}));`;
    },
  };
}

export default defineConfig({
  plugins: [wgslText()],
  test: {
    // The default report, then one plain `N passed, N failed` line last (test/helpers/summary-reporter.ts).
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        plugins: [wgslText(), wasmModule()],
        test: {
          name: 'node',
          include: ['engine/**/*.test.ts', 'shaders/**/*.test.ts', 'gpu-host/**/*.test.ts', 'bridge/**/*.test.ts', 'models/**/*.test.ts', 'engine-cli/**/*.test.ts', 'durable-objects/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/worker/**', 'node_modules/**'],
          environment: 'node',
          // .wasm under node_modules must go through wasmModule() instead of Node's loader.
          server: { deps: { inline: [/\.wasm$/] } },
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One GPU device per process; two workers on two cores keep llvmpipe busy without thrashing.
          pool: 'forks',
          maxWorkers: 2,
          // Projects with different worker counts run one after the other: node first, then workerd.
          sequence: { groupOrder: 0 },
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
      {
        // Inside real workerd (Miniflare) with the service's own wrangler.toml, so module rules (Text .wgsl,
        // CompiledWasm .wasm), compatibility date and bindings match `wrangler dev`. The Worker's main module is
        // loaded only by tests that import `cloudflare:test`/`cloudflare:workers` exports.
        // The rate-limiting binding is off in wrangler.toml (SPEC: access is off unless configured); the tests of
        // worker/middleware/ get the same binding with a small limit, so a burst is a handful of requests.
        plugins: [wgslText(), cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { ratelimits: { RATE_LIMITER: { simple: { limit: 3, period: 10 } } } } })],
        test: {
          name: 'workers',
          sequence: { groupOrder: 1 },
          include: ['images/**/*.workers.test.ts', 'worker/**/*.workers.test.ts', 'test/worker/**/*.test.ts'],
        },
      },
    ],
  },
});
