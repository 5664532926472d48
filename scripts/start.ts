/**
 * @module `npm start`: everything between a fresh clone and a service on http://localhost:8787.
 * 1. a model in local R2 (stored, fetched, or the seeded stand-in), 2. a fresh GPU host token in .dev.vars,
 * 3. the GPU host on 127.0.0.1, 4. `wrangler dev` (telemetry off), 5. a banner once /healthz answers.
 * Ctrl-C stops both processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { readProjectConfig, LOCAL_STATE_DIR, PROJECT_ROOT } from './project-config.ts';
import { provisionModel } from './provision-model.ts';
import { readDevVar, writeDevVar } from './dev-vars.ts';
import { commaList } from '../worker/middleware/list.ts';
import { OFFLINE_ENV, WRANGLER } from './local-r2.ts';

const PORT = Number(process.env.PORT ?? 8787);
const log = (line: string) => console.log(`[start] ${line}`);
const children: ChildProcess[] = [];

function startChild(name: string, command: string, args: string[], env: Record<string, string>): ChildProcess {
  // Own process group: stopping kills the child's children too (wrangler's workerd), not only the child.
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = (data: Buffer) => data.toString().split('\n').filter(Boolean).map((l) => `[${name}] ${l}`).join('\n') + '\n';
  child.stdout?.on('data', (d: Buffer) => process.stdout.write(prefix(d)));
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(prefix(d)));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${name} exited (${signal ?? code}); stopping.`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  log('stopping the GPU host and wrangler...');
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGTERM');
    } catch {
      c.kill('SIGTERM');
    }
  }
  setTimeout(() => process.exit(code), 1500).unref();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped');
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

interface HostHealth {
  adapter: { description: string; backend: string; vendor: string };
  software: boolean;
}

/** Fails early with the fix when a port is taken (an earlier `npm start` still running, another server). */
async function ensurePortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', () => reject(new Error(`port ${port} (${what}) is in use: stop what runs there (an earlier npm start?) or choose another port (PORT=8788 npm start; GPU_HOST_URL in wrangler.toml for the GPU host)`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  const config = readProjectConfig();
  const hostPort = Number(new URL(config.gpuHostUrl).port || 8790);
  await ensurePortFree(PORT, 'the service');
  await ensurePortFree(hostPort, 'the GPU host');

  const model = await provisionModel(config, log);
  log(`model: ${config.modelKey} (${model.source}, ${model.bytes} bytes)`);

  const token = randomBytes(24).toString('hex');
  const devVars = path.join(PROJECT_ROOT, '.dev.vars');
  await writeDevVar(devVars, 'GPU_HOST_TOKEN', token);
  // With API keys on, /healthz shows its details only to a key holder: the banner asks with the first key.
  const apiKey = commaList(await readDevVar(devVars, 'API_KEYS')).at(0);
  const withKey = apiKey ? { Authorization: `Bearer ${apiKey}` } : undefined;

  log('starting the GPU host...');
  startChild('gpu-host', process.execPath, ['--import', 'tsx', 'gpu-host/main.ts', '--port', String(hostPort)], { GPU_HOST_TOKEN: token });
  const host = await waitFor<HostHealth>('the GPU host', async () => {
    const r = await fetch(`http://127.0.0.1:${hostPort}/healthz`);
    return r.ok ? ((await r.json()) as HostHealth) : undefined;
  }, 60_000);

  log('starting wrangler dev...');
  startChild('wrangler', WRANGLER, ['dev', '--port', String(PORT), '--ip', '127.0.0.1', '--persist-to', LOCAL_STATE_DIR, '--show-interactive-dev-session=false'], OFFLINE_ENV);
  log('loading the model on the GPU (first load compiles the kernels)...');
  const health = await waitFor('the service', async () => {
    const r = await fetch(`http://127.0.0.1:${PORT}/healthz`, { headers: withKey });
    return r.status === 200 || r.status === 503 ? ((await r.json()) as { ok: boolean; reason?: string; model?: { sha256: string | null; standIn: boolean | null } }) : undefined;
  }, 180_000);

  const banner = [
    '',
    '================================================================',
    `  WebGPU classifier running on http://localhost:${PORT}`,
    `  GPU:   ${host.adapter.description} (${host.adapter.backend})${host.software ? '  [software rasteriser: slow, no GPU found]' : ''}`,
    `  Model: ${config.modelKey}  sha256 ${health.model?.sha256 ?? '?'}`,
    health.model?.standIn ? '  !! STAND-IN MODEL with random weights: labels are meaningless.\n  !! Run `npm run model:fetch` (needs internet) for the real SqueezeNet.' : '',
    health.ok ? '' : `  !! Not ready: ${health.reason}`,
    apiKey ? '  Access: API keys on (API_KEYS in .dev.vars): send Authorization: Bearer <key>' : '',
    `  Try:   curl ${apiKey ? "-H 'Authorization: Bearer <key>' " : ''}-F file=@photo.jpg http://localhost:${PORT}`,
    `         or open http://localhost:${PORT}/ in a browser`,
    '  Ctrl-C stops the service and the GPU host.',
    '================================================================',
  ].filter(Boolean);
  console.log(banner.join('\n'));
}

main().catch((e: Error) => {
  console.error(`[start] error: ${e.message}`);
  stop(1);
});
