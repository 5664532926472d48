/**
 * @module CLI for the GPU host: `npm run gpu-host -- [--port 8790] [--backend auto|vulkan|opengles|...] [--token T]`.
 * Without --token (or GPU_HOST_TOKEN in the environment) it takes the token in .dev.vars, which `wrangler dev`
 * gives to the Durable Objects (so a host restarted by hand next to `npm start` joins the others), and only when
 * there is none generates one and writes it there.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readDevVar, writeDevVar } from './dev-vars.ts';
import type { DawnBackend } from './dawn.ts';
import { startGpuHost } from './server.ts';

const BACKENDS: readonly DawnBackend[] = ['auto', 'default', 'vulkan', 'opengles', 'd3d12', 'metal'];
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: npm run gpu-host -- [--port N] [--backend ${BACKENDS.join('|')}] [--token T]
  --port     TCP port on 127.0.0.1 (default $GPU_HOST_PORT or 8790; 0 picks a free one)
  --backend  Dawn backend (default auto: a real GPU if any, else OpenGL ES on llvmpipe)
  --token    shared secret clients must present (default $GPU_HOST_TOKEN, else GPU_HOST_TOKEN in .dev.vars,
             else a new one written to .dev.vars)
  --dev-vars where the token is read from or a generated one written (default .dev.vars at the repo root;
             other lines are kept)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      token: { type: 'string' },
      'dev-vars': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? process.env.GPU_HOST_PORT ?? 8790);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}\n${USAGE}`);
  const backend = values.backend as DawnBackend;
  if (!BACKENDS.includes(backend)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}, got ${values.backend}`);

  let token = values.token ?? process.env.GPU_HOST_TOKEN;
  const file = path.resolve(values['dev-vars'] ?? path.join(ROOT, '.dev.vars'));
  if (!token) {
    token = await readDevVar(file, 'GPU_HOST_TOKEN');
    if (token) console.log(`[gpu-host] using GPU_HOST_TOKEN from ${file}`);
  }
  if (!token) {
    token = randomBytes(24).toString('hex');
    await writeDevVar(file, 'GPU_HOST_TOKEN', token);
    console.log(`[gpu-host] generated a token and wrote GPU_HOST_TOKEN to ${file}`);
  }

  const host = await startGpuHost({ port, token, backend });
  const a = host.adapter;
  console.log(`[gpu-host] adapter: ${a.description || a.device} (vendor "${a.vendor}", device "${a.device}", backend ${a.backend})`);
  if (host.software) {
    console.warn('[gpu-host] ************************************************************');
    console.warn('[gpu-host] WARNING: no GPU found; llvmpipe (a CPU rasteriser) serves WebGPU.');
    console.warn('[gpu-host] Inference works but is slow.');
    console.warn('[gpu-host] ************************************************************');
  }
  // Tests and scripts wait for this exact line.
  console.log(`[gpu-host] listening on ${host.url} (health: http://127.0.0.1:${host.port}/healthz)`);

  // A stray Dawn rejection must not take every client's GPU down with the process.
  process.on('unhandledRejection', (reason) => console.error(`[gpu-host] unhandled rejection (ignored): ${(reason as Error)?.message ?? String(reason)}`));

  const stop = (): void => {
    void host.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  console.error(`[gpu-host] error: ${e.message}`);
  process.exit(1);
});
