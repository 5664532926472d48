/**
 * @module `npm run bench`: SqueezeNet 1.1 through ours and the onnxruntime peers, on one adapter and one input,
 * printed as a table and written to bench/results/latest.json. `--profile` adds ours' GPU time per kernel family;
 * `--service` load-tests the running service instead (bench/service.ts), `--service --hosts 1,3` a service it starts
 * with that many local GPU hosts (bench/service-hosts.ts); `--photos` sends phone-sized photos beside PIL
 * (bench/photos.ts).
 */
import { loadavg } from 'node:os';
import { openDawnDevice } from '../gpu-host/dawn.ts';
import { parseArgs, type BenchArgs } from './args.ts';
import { benchInput } from './input.ts';
import { resolveModel } from './model.ts';
import { PEERS, REFERENCE_PEER } from './peers/index.ts';
import { createOursSession, ours } from './peers/ours.ts';
import type { PeerContext, PeerName } from './peers/types.ts';
import { profileSession } from './profile.ts';
import { latestJson, peerTable, profileTables, writeResult } from './report.ts';
import { writeCharts } from './chart.ts';
import { measurePeer, type PeerResult } from './runner.ts';

function warnIfBusy(): void {
  const [load] = loadavg();
  // Two cores: anything else running (tests, a build) moves medians by tens of percent.
  if (load > 1) console.warn(`WARNING: load average is ${load.toFixed(2)} (> 1): other processes will disturb these timings.`);
}

async function profileOurs(ctx: PeerContext): Promise<void> {
  console.log('\n## Profile of ours (GPU time per kernel family)\n');
  try {
    const session = await createOursSession(ctx);
    try {
      const profile = await profileSession(session, { [ctx.model.inputName]: ctx.input });
      console.log(profileTables(profile));
    } finally {
      session.dispose();
    }
  } catch (e) {
    console.log(`profile unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * Runs ours again after the other peers: on two shared cores the machine's state drifts over minutes (other
 * sessions, thermal, llvmpipe thread placement), and a large first/last gap says the ratios are not trustworthy.
 */
async function driftCheck(results: Map<PeerName, PeerResult>, ctx: PeerContext, args: BenchArgs): Promise<void> {
  const first = results.get('ours');
  if (!first?.ok || results.size < 2) return;
  const again = await measurePeer(ours, ctx, args);
  if (!again.ok) return;
  const drift = (100 * (again.medianMs - first.medianMs)) / first.medianMs;
  const line = `ours (again)     median ${again.medianMs.toFixed(2)} ms, p90 ${again.p90Ms.toFixed(2)} ms: ${drift >= 0 ? '+' : ''}${drift.toFixed(1)}% vs the first run`;
  console.log(Math.abs(drift) > 10 ? `${line}. WARNING: timings drifted by more than 10% during the bench; ratios are unreliable.` : line);
}

async function benchPeers(args: BenchArgs): Promise<void> {
  warnIfBusy();
  const model = await resolveModel(args.model);
  const dawn = await openDawnDevice();
  const adapter = `${dawn.info.device} ${dawn.info.description} (${dawn.backend}, ${dawn.featureLevel})`.trim();
  console.log(`model:   ${model.description}, ${(model.macs / 1e9).toFixed(3)} GMACs`);
  console.log(`adapter: ${adapter}`);
  console.log(`input:   ${model.inputName} [${model.inputDims.join('x')}] seeded normal; ${args.warmup} warm-up + ${args.runs} timed runs per peer\n`);
  const ctx: PeerContext = { model, input: benchInput(model.inputDims), dawn };

  const results = new Map<PeerName, PeerResult>();
  for (const peer of PEERS) {
    if (args.only && !args.only.includes(peer.name)) continue;
    const r = await measurePeer(peer, ctx, args);
    results.set(peer.name, r);
    // One line after the fact: native runtimes log to the terminal while loading and would split a partial line.
    console.log(`${peer.name.padEnd(16)} ` + (r.ok ? `median ${r.medianMs.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms (load ${r.loadMs.toFixed(0)} ms)` : `error: ${r.error}`));
  }

  await driftCheck(results, ctx, args);

  console.log(`\n${peerTable(results, REFERENCE_PEER, model.macs)}\n`);
  for (const [name, r] of results) {
    if (r.ok && r.details) console.log(`${name}: ${Object.entries(r.details).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  const latest = latestJson(adapter, model.description, args.runs, model.macs, results);
  const path = await writeResult('latest.json', latest);
  const charts = await writeCharts(latest);
  if (args.profile) await profileOurs(ctx);
  console.log(`\nwrote ${path}, ${charts.join(', ')}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.service && args.hosts) {
    const { benchServiceHosts } = await import('./service-hosts.ts');
    await benchServiceHosts(args, args.hosts);
  } else if (args.photos) {
    const { benchPhotos } = await import('./photos.ts');
    // 30 runs is the peer default; five 48 MP requests already take a while on two cores.
    await benchPhotos(process.argv.includes('--runs') ? args.runs : 5);
  } else if (args.service) {
    const { benchService } = await import('./service.ts');
    await benchService(args);
  } else {
    await benchPeers(args);
  }
  // dawn.node and the ORT runtimes keep native handles open; the bench is done.
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
