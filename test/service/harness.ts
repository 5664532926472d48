/**
 * @module Runs the real service for tests: a GPU host process and `wrangler dev` (workerd, local R2 in a temp
 * folder) behind the 100-continue front, exactly as `npm start` does, on free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'smol-toml';
import { PROJECT_ROOT, readProjectConfig } from '../../scripts/project-config.ts';
import { OFFLINE_ENV, putLocalObject, deleteLocalObject } from '../../scripts/local-r2.ts';
import { startContinueFront } from '../../scripts/continue-front.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function capture(child: ChildProcess, sink: string[]): void {
  const push = (d: Buffer) => {
    sink.push(d.toString());
    if (sink.length > 400) sink.splice(0, sink.length - 400);
  };
  child.stdout?.on('data', push);
  child.stderr?.on('data', push);
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, logs: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms:\n${logs.join('').slice(-3000)}`);
}

export interface ServiceOptions {
  model?: Uint8Array;
  labels?: string;
  /** Start without a GPU host (fault tests start it later). */
  withoutHost?: boolean;
  /**
   * What a user would put in .dev.vars (API_KEYS, CORS_ORIGINS, ...). The service reads these and nothing else:
   * never the developer's own .dev.vars, whose keys would otherwise lock every test out.
   */
  devVars?: Record<string, string>;
  /** Turns on the `[[ratelimits]]` binding that wrangler.toml ships commented out, with this limit. */
  rateLimit?: { limit: number; period: 10 | 60 };
  /** GPU hosts to run (default 1); with more, wrangler gets GPU_HOST_URLS instead of GPU_HOST_URL. */
  hosts?: number;
  /** More R2 objects by key (other models, manifests, label files). */
  objects?: Record<string, Uint8Array | string>;
  /** More wrangler vars (MODELS, REPLICAS, ...). */
  vars?: Record<string, string>;
}

export interface Service {
  /** The 100-continue front, what users reach. */
  url: string;
  /** `wrangler dev` itself, behind the front (bench/front-hop.ts compares the two). */
  wranglerUrl: string;
  /** The first GPU host's port; `hostPorts` has all of them, in GPU_HOST_URLS order. */
  hostPort: number;
  hostPorts: number[];
  /** The GPU hosts' shared token (what `npm start` writes to .dev.vars). */
  token: string;
  logs: string[];
  startHost(index?: number): Promise<void>;
  stopHost(signal?: NodeJS.Signals, index?: number): Promise<void>;
  putModel(bytes: Uint8Array): Promise<void>;
  putLabels(text: string): Promise<void>;
  /** Stores any object in the service's local R2. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  deleteModel(): Promise<void>;
  /** A running GPU host's process id (memory checks read /proc/<pid>/status), undefined while it is stopped. */
  hostPid(index?: number): number | undefined;
  /** wrangler's process id; it leads the process group that workerd runs in. */
  wranglerPid(): number | undefined;
  /** This service's workerd processes (in wrangler's process group; other suites' workerd are not counted). */
  workerdPids(): number[];
  /** Stops and starts `wrangler dev` (same ports, same local R2): every Durable Object starts afresh. */
  restartWrangler(): Promise<void>;
  stop(): Promise<void>;
}

/** Processes named `comm` in process group `group`, from /proc. */
function groupProcesses(group: number | undefined, comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the closing parenthesis.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (name === comm && pgrp === group) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** /healthz's `batching`: the Classifier DO's batch sizes with a session, null until the model is loaded. */
export type Batching = { maxBatch: number; ready: number[]; preparing: boolean } | null;

/**
 * Polls the service's /healthz every 250 ms until the DO has finished building its batch sessions (`batching`
 * present and not preparing), at most `ms`. Returns the last reading, finished or not: the caller asserts on it.
 */
export async function waitForBatching(service: Service, ms = 120_000): Promise<Batching> {
  const now = async (): Promise<Batching> => ((await (await fetch(`${service.url}/healthz`)).json()) as { batching: Batching }).batching;
  let batching = await now();
  for (const deadline = Date.now() + ms; (!batching || batching.preparing) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 250));
    batching = await now();
  }
  return batching;
}

/**
 * wrangler.toml with the rate-limit binding switched on, written into `dir`. The binding's name and shape are the
 * ones wrangler.toml's commented block documents; `main` is made absolute because wrangler resolves it from the
 * config file's folder.
 */
async function rateLimitedConfig(dir: string, rateLimit: { limit: number; period: number }): Promise<string> {
  const config = parse(await readFile(path.join(PROJECT_ROOT, 'wrangler.toml'), 'utf8'));
  config.main = path.join(PROJECT_ROOT, String(config.main));
  config.ratelimits = [{ name: 'RATE_LIMITER', namespace_id: '1001', simple: rateLimit }];
  config.vars = { ...(config.vars as Record<string, string>), RATE_LIMIT_PERIOD: String(rateLimit.period) };
  const file = path.join(dir, 'wrangler.toml');
  await writeFile(file, stringify(config));
  return file;
}

export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const config = readProjectConfig();
  const persistTo = await mkdtemp(path.join(tmpdir(), 'service-state-'));
  const devVars = path.join(persistTo, 'dev-vars.env');
  await writeFile(devVars, Object.entries(options.devVars ?? {}).map(([k, v]) => `${k}=${v}\n`).join(''));
  const configArgs = options.rateLimit ? ['--config', await rateLimitedConfig(persistTo, options.rateLimit)] : [];
  const [wranglerPort, inspectorPort] = [await freePort(), await freePort()];
  const hostPorts: number[] = [];
  for (let i = 0; i < (options.hosts ?? 1); i++) hostPorts.push(await freePort());
  const token = randomBytes(16).toString('hex');
  const logs: string[] = [];
  const hosts: (ChildProcess | undefined)[] = hostPorts.map(() => undefined);
  const put = (key: string, data: Uint8Array | string) => putLocalObject(config.bucket, key, typeof data === 'string' ? new TextEncoder().encode(data) : data, persistTo);
  const putModel = (bytes: Uint8Array) => put(config.modelKey, bytes);
  const putLabels = (text: string) => put(config.labelsKey, text);
  if (options.model) await putModel(options.model);
  if (options.labels) await putLabels(options.labels);
  for (const [key, data] of Object.entries(options.objects ?? {})) await put(key, data);

  const startHost = async (index = 0) => {
    const hostPort = hostPorts[index];
    const host = spawn(process.execPath, ['--import', 'tsx', 'gpu-host/main.ts', '--port', String(hostPort)], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, GPU_HOST_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hosts[index] = host;
    capture(host, logs);
    await waitUntil('GPU host', async () => (await fetch(`http://127.0.0.1:${hostPort}/healthz`)).ok, 60_000, logs);
  };
  const stopHost = async (signal: NodeJS.Signals = 'SIGKILL', index = 0) => {
    const h = hosts[index];
    hosts[index] = undefined;
    if (!h || h.exitCode !== null) return;
    const exited = new Promise((r) => h.once('exit', r));
    h.kill(signal);
    await exited;
  };
  if (!options.withoutHost) await Promise.all(hostPorts.map((_, i) => startHost(i)));
  const hostUrls = hostPorts.map((p) => `ws://127.0.0.1:${p}`);
  const vars: Record<string, string> = {
    ...(hostUrls.length > 1 ? { GPU_HOST_URLS: hostUrls.join(',') } : { GPU_HOST_URL: hostUrls[0] }),
    GPU_HOST_TOKEN: token,
    ...options.vars,
  };

  const wranglerUrl = `http://127.0.0.1:${wranglerPort}`;
  let wrangler: ChildProcess;
  const startWrangler = async () => {
    wrangler = spawn(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'wrangler'),
      [
        'dev', '--port', String(wranglerPort), '--ip', '127.0.0.1', '--inspector-port', String(inspectorPort), '--persist-to', persistTo,
        '--show-interactive-dev-session=false', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
        '--env-file', devVars, ...configArgs,
      ],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...OFFLINE_ENV, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    capture(wrangler, logs);
    await waitUntil('wrangler dev', async () => (await fetch(`${wranglerUrl}/nope`)).status === 404, 90_000, logs);
  };
  // wrangler starts workerd as a child: end the whole process group.
  const stopWrangler = async () => {
    const w = wrangler;
    if (!w.pid || w.exitCode !== null) return;
    const exited = new Promise((r) => w.once('exit', r));
    try {
      process.kill(-w.pid, 'SIGTERM');
    } catch {
      w.kill('SIGTERM');
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    // The port must be free again before a restart binds it.
    await waitUntil('wrangler dev to stop', async () => !(await fetch(`${wranglerUrl}/nope`).then(() => true, () => false)), 10_000, logs);
  };
  await startWrangler();
  // Port 0: a port picked by freePort() before wrangler's ~10 s start could be taken by then by another test's process.
  const front = await startContinueFront(0, wranglerPort);
  const url = `http://127.0.0.1:${front.port}`;

  return {
    url,
    wranglerUrl,
    hostPort: hostPorts[0],
    hostPorts,
    token,
    logs,
    startHost,
    stopHost,
    putModel,
    putLabels,
    put,
    deleteModel: () => deleteLocalObject(config.bucket, config.modelKey, persistTo),
    hostPid: (index = 0) => {
      const h = hosts[index];
      return h && h.exitCode === null ? h.pid : undefined;
    },
    wranglerPid: () => wrangler.pid,
    workerdPids: () => groupProcesses(wrangler.pid, 'workerd'),
    async restartWrangler() {
      await stopWrangler();
      await startWrangler();
    },
    async stop() {
      await front.close();
      await Promise.all(hostPorts.map((_, i) => stopHost('SIGKILL', i)));
      await stopWrangler();
      await rm(persistTo, { recursive: true, force: true });
    },
  };
}
