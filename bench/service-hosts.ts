/**
 * @module `npm run bench -- --service --hosts 1,3`: for each host count, starts the service here (wrangler dev +
 * that many GPU hosts, REPLICAS = hosts, the bench model in a temporary local R2), then measures requests/s and
 * p50/p99 at concurrency 1, 4, 16 and what each request costs: bytes on the Durable Object <-> GPU host wire
 * (the hosts' own counters) and CPU milliseconds in workerd (Worker + Durable Objects) and in the GPU hosts
 * (/proc), with the Worker's own decode + preprocess time beside it (workerd CPU minus that is the Durable
 * Objects' and the RPC's share). Writes bench/results/service-hosts.json. On one machine the hosts share its cores: the figures show
 * what bounds a single box, not what separate GPU machines would add up to.
 */
import { readFileSync } from 'node:fs';
import type { GpuHostHealth } from '../gpu-host/server.ts';
import { health } from '../gpu-host/test-support.ts';
import { startService, waitForBatching, type Service } from '../test/service/harness.ts';
import type { BenchArgs } from './args.ts';
import { syntheticPng, type EncodedImage } from './image.ts';
import { resolveModel } from './model.ts';
import { writeResult } from './report.ts';
import { CONCURRENCY_LEVELS, post, runLevel, type LevelResult } from './service.ts';
import { renderTable } from './table.ts';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_S = 100;

/** CPU ms (user + system) the processes used so far; processes that ended are skipped. */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return (ticks * 1000) / TICKS_PER_S;
}

interface Meter {
  workerdMs: number;
  hostMs: number;
  wireBytes: number;
  /** Model loads by all replicas so far: one that grows during a level means a replica moved host then. */
  loads: number;
}

async function read(service: Service): Promise<Meter> {
  const hosts: GpuHostHealth[] = await Promise.all(service.hostPorts.map((port) => health(port)));
  const { loader } = (await (await fetch(`${service.url}/healthz`)).json()) as { loader: { loads: number } };
  return {
    loads: loader.loads,
    workerdMs: cpuMs(service.workerdPids()),
    hostMs: cpuMs(service.hostPorts.map((_, i) => service.hostPid(i)!).filter(Boolean)),
    wireBytes: hosts.reduce((n, h) => n + h.bytesReceived + h.bytesSent, 0),
  };
}

/**
 * Steady state before measuring: every replica on its home host with all its batch sessions built. A first load
 * that timed out under CPU contention (three hosts compiling on shared cores) puts a replica on another host for
 * a while; its move home would otherwise land inside the first level.
 */
async function settle(service: Service, image: EncodedImage, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    await waitForBatching(service);
    const h = (await (await fetch(`${service.url}/healthz`)).json()) as { models: { replicas: { host: string | null; home: string }[] }[] };
    if (h.models.every((m) => m.replicas.every((r) => r.host === r.home))) return;
    if (Date.now() > deadline) throw new Error(`replicas did not settle on their home hosts within ${ms / 1000} s: ${JSON.stringify(h.models)}`);
    // Moving home happens before a request (durable-objects/classifier.ts): give it some traffic.
    await post(new URL(`${service.url}/classify`), image);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

interface Row extends LevelResult {
  hosts: number;
  bytes_per_inference: number;
  workerd_cpu_ms_per_request: number;
  host_cpu_ms_per_request: number;
  /** Replica model loads during the level (moves between hosts); their compiles and uploads are in the other figures. */
  reloads: number;
}

export async function benchServiceHosts(args: BenchArgs, hostCounts: number[]): Promise<void> {
  const model = await resolveModel(args.model);
  const image = await syntheticPng();
  console.log(`service with local GPU hosts: ${model.description}; POST ${image.width}x${image.height} PNG (${image.bytes.byteLength} bytes), ${args.requests} requests per level`);
  const rows: Row[] = [];
  for (const hosts of hostCounts) {
    console.log(`\nstarting wrangler dev with ${hosts} GPU host(s), ${hosts} replica(s)...`);
    const service = await startService({ model: model.bytes, hosts });
    try {
      const url = new URL(`${service.url}/classify`);
      // Load the model on every replica and let each build its batch sessions: steady state, not first use.
      const warm = await Promise.all(Array.from({ length: hosts * 2 }, () => post(url, image)));
      const failed = warm.find((o) => o.error);
      if (failed) throw new Error(`warm-up request failed (${failed.status}): ${failed.error}`);
      await settle(service, image);
      for (const concurrency of CONCURRENCY_LEVELS) {
        const before = await read(service);
        const level = await runLevel(url, image, concurrency, args.requests);
        const after = await read(service);
        const per = (d: number) => d / Math.max(1, level.ok);
        const row: Row = {
          hosts,
          ...level,
          bytes_per_inference: Math.round(per(after.wireBytes - before.wireBytes)),
          workerd_cpu_ms_per_request: per(after.workerdMs - before.workerdMs),
          host_cpu_ms_per_request: per(after.hostMs - before.hostMs),
          reloads: after.loads - before.loads,
        };
        rows.push(row);
        console.log(`hosts ${hosts}, concurrency ${String(concurrency).padStart(2)}: ${row.rps.toFixed(1)} req/s, p50 ${row.p50_ms.toFixed(0)} ms, p99 ${row.p99_ms.toFixed(0)} ms, ${row.errors} errors, ${row.bytes_per_inference} wire bytes/inference`);
      }
      // What moved replicas between hosts, if anything did (durable-objects/classifier.ts logs each move).
      for (const line of service.logs.join('').split('\n')) if (/classifier .*(is down|back on its home)/.test(line)) console.log(`  log: ${line.trim()}`);
    } finally {
      await service.stop();
    }
  }
  console.log(
    `\n${renderTable(
      ['hosts', 'concurrency', 'ok', 'req/s', 'p50 ms', 'p99 ms', 'wire bytes/inf', 'workerd CPU ms/req', 'of which decode+preprocess', 'hosts CPU ms/req', 'reloads'],
      rows.map((r) => [r.hosts, r.concurrency, r.ok, r.rps, r.p50_ms, r.p99_ms, r.bytes_per_inference, r.workerd_cpu_ms_per_request, r.worker_ms, r.host_cpu_ms_per_request, r.reloads]),
    )}\n`,
  );
  for (const r of rows) if (r.first_error) console.log(`hosts ${r.hosts} concurrency ${r.concurrency}: first error: ${r.first_error}`);
  const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : null);
  const path = await writeResult('service-hosts.json', {
    model: model.description,
    image: { type: image.type, width: image.width, height: image.height, bytes: image.bytes.byteLength },
    requests_per_level: args.requests,
    rows: rows.map((r) => ({ ...r, rps: round(r.rps), p50_ms: round(r.p50_ms), p99_ms: round(r.p99_ms), worker_ms: round(r.worker_ms), workerd_cpu_ms_per_request: round(r.workerd_cpu_ms_per_request), host_cpu_ms_per_request: round(r.host_cpu_ms_per_request) })),
  });
  console.log(`wrote ${path}`);
}
