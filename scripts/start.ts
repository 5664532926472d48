/**
 * @module `npm start`: everything between a fresh clone and a service on http://localhost:8787.
 * 1. a model in local R2 (stored, fetched, or the seeded stand-in), 2. a fresh GPU host token in .dev.vars,
 * 3. `GPU_HOSTS` GPU hosts (default 1) on 127.0.0.1:8790, 8791, ... (`GPU_HOST_PORT` moves the first), 4. `wrangler
 * dev` (telemetry off; GPU_HOST_URL or GPU_HOST_URLS set to the hosts) on an internal port behind the front on `PORT`
 * (default 8787) that answers `Expect: 100-continue` (continue-front.ts), 5. a banner once /healthz answers.
 * Every child is supervised: one that dies is restarted with a bounded backoff and the rest keep serving (a
 * request meanwhile gets 503 with Retry-After, or another host). Ctrl-C stops them all.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { readProjectConfig, LOCAL_STATE_DIR, PROJECT_ROOT } from './project-config.ts';
import { provisionModel } from './provision-model.ts';
import { readDevVar, writeDevVar } from '../gpu-host/dev-vars.ts';
import { commaList } from '../worker/middleware/list.ts';
import { OFFLINE_ENV, WRANGLER } from './local-r2.ts';
import { Supervised } from './supervisor.ts';
import { startContinueFront } from './continue-front.ts';

const PORT = Number(process.env.PORT ?? 8787);
/** More is possible but pointless on one machine: every host is a Node process with its own Dawn device per client. */
const MAX_GPU_HOSTS = 16;
const log = (line: string) => console.log(`[start] ${line}`);
const children: Supervised[] = [];

function supervise(name: string, command: string, args: string[], env: Record<string, string>): Supervised {
  const child = new Supervised({ name, command, args, cwd: PROJECT_ROOT, env, log });
  children.push(child);
  child.start();
  return child;
}

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  log('stopping the GPU hosts and wrangler...');
  void Promise.all(children.map((c) => c.stop(1_500))).finally(() => process.exit(code));
}

function gpuHostCount(): number {
  const raw = process.env.GPU_HOSTS ?? '1';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_GPU_HOSTS) throw new Error(`GPU_HOSTS must be a whole number from 1 to ${MAX_GPU_HOSTS}, got "${raw}"`);
  return n;
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
  await listenOnce(port).catch(() => {
    throw new Error(`port ${port} (${what}) is in use: stop what runs there (an earlier npm start?) or choose other ports (PORT=8788 GPU_HOST_PORT=8890 npm start)`);
  });
}

/** Listens on `port` (0: any free one) on 127.0.0.1, closes again and returns the port. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

async function main(): Promise<void> {
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  const config = readProjectConfig();
  const firstHostPort = Number(process.env.GPU_HOST_PORT ?? (new URL(config.gpuHostUrl).port || 8790));
  const hostPorts = Array.from({ length: gpuHostCount() }, (_, i) => firstHostPort + i);
  await ensurePortFree(PORT, 'the service');
  for (const port of hostPorts) await ensurePortFree(port, 'a GPU host');

  const model = await provisionModel(config, log);
  log(`model: ${config.modelKey} (${model.source}, ${model.bytes} bytes)`);

  const token = randomBytes(24).toString('hex');
  const devVars = path.join(PROJECT_ROOT, '.dev.vars');
  await writeDevVar(devVars, 'GPU_HOST_TOKEN', token);
  // With API keys on, /healthz shows its details only to a key holder: the banner asks with the first key.
  const apiKey = commaList(await readDevVar(devVars, 'API_KEYS')).at(0);
  const withKey = apiKey ? { Authorization: `Bearer ${apiKey}` } : undefined;

  log(`starting ${hostPorts.length === 1 ? 'the GPU host' : `${hostPorts.length} GPU hosts`}...`);
  const names = hostPorts.map((port) => (hostPorts.length === 1 ? 'gpu-host' : `gpu-host:${port}`));
  hostPorts.forEach((port, i) => supervise(names[i], process.execPath, ['--import', 'tsx', 'gpu-host/main.ts', '--port', String(port)], { GPU_HOST_TOKEN: token }));
  const hosts = await Promise.all(
    hostPorts.map((port, i) =>
      waitFor<HostHealth>(names[i], async () => {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        return r.ok ? ((await r.json()) as HostHealth) : undefined;
      }, 60_000),
    ),
  );
  const host = hosts[0];
  const hostUrls = hostPorts.map((port) => `ws://127.0.0.1:${port}`);

  log('starting wrangler dev...');
  const urlVar = hostPorts.length > 1 ? ['--var', `GPU_HOST_URLS:${hostUrls.join(',')}`] : ['--var', `GPU_HOST_URL:${hostUrls[0]}`];
  const wranglerPort = await listenOnce(0);
  supervise('wrangler', WRANGLER, ['dev', '--port', String(wranglerPort), '--ip', '127.0.0.1', '--persist-to', LOCAL_STATE_DIR, '--show-interactive-dev-session=false', ...urlVar], OFFLINE_ENV);
  await startContinueFront(PORT, wranglerPort);
  log('loading the model on the GPU (first load compiles the kernels)...');
  const health = await waitFor('the service', async () => {
    const r = await fetch(`http://127.0.0.1:${PORT}/healthz`, { headers: withKey });
    return r.status === 200 || r.status === 503 ? ((await r.json()) as { ok: boolean; reason?: string; model?: { key: string; sha256: string | null; standIn: boolean | null }; models?: { key: string }[] }) : undefined;
  }, 180_000);

  const banner = [
    '',
    '================================================================',
    `  WebGPU classifier running on http://localhost:${PORT}`,
    `  GPU:   ${host.adapter.description} (${host.adapter.backend})${host.software ? '  [software rasteriser: slow, no GPU found]' : ''}`,
    hostPorts.length > 1 ? `  Hosts: ${hostUrls.join(', ')} (restarted if they die)` : '',
    `  Model: ${health.model?.key ?? config.modelKey}  sha256 ${health.model?.sha256 ?? '?'}`,
    (health.models?.length ?? 1) > 1 ? `  Also:  ${health.models!.slice(1).map((m) => m.key).join(', ')}  (?model=<key>)` : '',
    health.model?.standIn ? '  !! STAND-IN MODEL with random weights: labels are meaningless.\n  !! Run `npm run model:fetch` (needs internet) for the real SqueezeNet.' : '',
    health.ok ? '' : `  !! Not ready: ${health.reason}`,
    apiKey ? '  Access: API keys on (API_KEYS in .dev.vars): send Authorization: Bearer <key>' : '',
    `  Try:   curl ${apiKey ? "-H 'Authorization: Bearer <key>' " : ''}-F file=@photo.jpg http://localhost:${PORT}`,
    `         or open http://localhost:${PORT}/ in a browser`,
    `  Ctrl-C stops the service and the GPU host${hostPorts.length > 1 ? 's' : ''}.`,
    '================================================================',
  ].filter(Boolean);
  console.log(banner.join('\n'));
}

main().catch((e: Error) => {
  console.error(`[start] error: ${e.message}`);
  stop(1);
});
