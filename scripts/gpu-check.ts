/**
 * @module `npm run gpu-check`: one command on a machine with a GPU (README "On a machine with a GPU").
 *   1. Finds the hardware Vulkan adapter, or says exactly which piece is missing (loader, ICD, driver library,
 *      kernel driver) and exits 1.
 *   2. Runs the engine tests that matter on it: every op against onnxruntime, both SqueezeNets end to end.
 *   3. Benches SqueezeNet 1.1 and ResNet-50 v1 (the real files when in local R2, else the stand-ins): ours,
 *      onnxruntime-web WebGPU and wasm, onnxruntime-node CPU and WebGPU, on the same adapter.
 *   4. Prints one table and writes it, with every step's full output, to bench/results/gpu-check.txt / .log.
 * Needs no network. A hard budget (default 8 minutes, --budget-s) bounds the whole run: each step gets what is
 * left, and a step that overruns is killed and reported as such.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openDawnAdapter } from '../gpu-host/dawn.ts';
import { PROJECT_ROOT, readProjectConfig } from './project-config.ts';
import { getLocalObject } from './local-r2.ts';
import { describeProbe, driverFileCandidates, missingPieces, probeVulkan } from './vulkan-diagnosis.ts';
import { findStandIn, writeStandIn } from '../models/catalog.ts';
import { RESULTS_DIR, gmacPerSecond, type LatestJson } from '../bench/report.ts';
import { renderTable, type Cell } from '../bench/table.ts';

const { values } = parseArgs({ options: { 'budget-s': { type: 'string', default: '480' }, runs: { type: 'string', default: '20' } } });
const BUDGET_MS = Number(values['budget-s']) * 1000;
const RUNS = values.runs ?? '20';
const started = Date.now();
const left = () => BUDGET_MS - (Date.now() - started);
const REPORT = `${RESULTS_DIR}gpu-check.txt`;
const LOG = `${RESULTS_DIR}gpu-check.log`;
/** Below this a step is skipped rather than started to be killed. */
const MIN_STEP_MS = 20_000;

const report: string[] = [];
function say(line = ''): void {
  console.log(line);
  report.push(line);
}

interface StepResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** Runs `node <args>` from the project root, its output to the log, killed (whole process group) after `ms`. */
function step(title: string, args: string[], ms: number, env: Record<string, string>): Promise<StepResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const collect = (d: Buffer) => {
      output += d.toString();
      process.stdout.write('.');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, Math.max(1000, ms));
    child.on('close', async (code) => {
      clearTimeout(timer);
      process.stdout.write('\n');
      await appendFile(LOG, `\n===== ${title} (exit ${code}${timedOut ? `, killed after ${Math.round(ms / 1000)} s` : ''}) =====\n${output}`);
      resolve({ code, output, timedOut });
    });
  });
}

/** The real zoo file when `npm run model:put -- <file> --key <zoo file>` stored it in local R2, else the stand-in. */
async function benchModel(zooFile: string): Promise<{ path: string; real: boolean }> {
  try {
    const bytes = await getLocalObject(readProjectConfig().bucket, zooFile);
    if (bytes) {
      const path = `${RESULTS_DIR}${zooFile}`;
      await writeFile(path, bytes);
      return { path, real: true };
    }
  } catch {
    // no local R2 state: the stand-in it is
  }
  return { path: await writeStandIn(findStandIn(zooFile)!), real: false };
}

async function main(): Promise<number> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(LOG, `gpu-check ${new Date().toISOString()}\n`);
  say(`# gpu-check ${new Date().toISOString()} (budget ${BUDGET_MS / 1000} s)`);

  // 1. The adapter: the loader's own choice first, then each hardware manifest on its own through VK_DRIVER_FILES
  // (a GPU container may carry a manifest whose library does not match the mounted driver, and another that does).
  const probe = probeVulkan();
  for (const l of describeProbe(probe)) say(l);
  const env: Record<string, string> = { WEBGPU_BACKEND: 'vulkan' };
  const useDriverFiles = (files: string) => {
    env.VK_DRIVER_FILES = files;
    env.VK_ICD_FILENAMES = files; // loaders before 1.3.207 read only this name
    Object.assign(process.env, env);
  };
  const tries = [...(probe.driverFiles ? [probe.driverFiles] : [undefined]), ...driverFileCandidates(probe).filter((f) => f !== probe.driverFiles)];
  const failures: string[] = [];
  let adapterLine: string | undefined;
  for (const files of tries) {
    if (files) useDriverFiles(files);
    try {
      const a = await openDawnAdapter('vulkan');
      if (a.software) throw new Error(`only a CPU implementation (${a.info.description})`);
      adapterLine = `${[a.info.vendor, a.info.device, a.info.description].filter(Boolean).join(' ')} [vulkan, ${a.featureLevel}, hardware${files ? `, VK_DRIVER_FILES=${files}` : ''}]`;
      break;
    } catch (e) {
      // Dawn's own advice (install Mesa) is for machines without a GPU; the pieces below are what this one lacks.
      failures.push(`${files ? `VK_DRIVER_FILES=${files}` : 'default driver search'}: ${(e as Error).message.split('\n')[0].split('. On a machine without')[0]}`);
    }
  }
  if (!adapterLine) {
    say('');
    say('NO HARDWARE VULKAN ADAPTER');
    for (const f of failures) say(`  tried ${f}`);
    const missing = missingPieces(probe);
    for (const m of missing.length ? missing : ['every piece is present, but the loader could not create an instance with any driver manifest (see its warnings above): the driver library a manifest names must be the user-space part of the running kernel driver (same version); `vulkaninfo --summary` (package vulkan-tools) shows the loader\'s view']) say(`  missing: ${m}`);
    await writeFile(REPORT, `${report.join('\n')}\n`);
    return 1;
  }
  say(`adapter: ${adapterLine}`);
  say('');

  // 2. Engine tests: ops and SqueezeNet against onnxruntime.
  const rows: Cell[][] = [];
  // The tests get at most half of what is left (5 minutes at most); the two benches share the rest.
  const testMs = Math.min(300_000, left() / 2);
  const tests = testMs < MIN_STEP_MS ? undefined : await step('engine tests', ['node_modules/vitest/vitest.mjs', 'run', '--project', 'node', 'test/ops', 'test/e2e/squeezenet.test.ts'], testMs, env);
  const summary = tests && /^(\d+) passed, (\d+) failed/m.exec(tests.output);
  rows.push(['engine tests (ops, SqueezeNet vs onnxruntime)', undefined, undefined, undefined, undefined, undefined, undefined,
    !tests ? 'SKIPPED: budget too small' : tests.timedOut ? `TIMED OUT after ${Math.round(testMs / 1000)} s` : summary ? `${summary[0]}${tests.code === 0 ? '' : ' (see gpu-check.log)'}` : `exit ${tests.code}, no summary (see gpu-check.log)`]);

  // 3. Benches.
  const targets: Record<string, (ours: number, webgpu: number | undefined) => string> = {
    'squeezenet1.1-7.onnx': (ours, webgpu) => `target < 1 ms: ${ours < 1 ? 'met' : 'NOT met'}; faster than ort-webgpu: ${webgpu === undefined ? '?' : webgpu > ours ? 'yes' : 'NO'}`,
    'resnet50-v1-7.onnx': (ours, webgpu) => `faster than ort-webgpu: ${webgpu === undefined ? '?' : webgpu > ours ? 'yes' : 'NO'}`,
  };
  for (const [i, zooFile] of Object.keys(targets).entries()) {
    const ms = left() / (Object.keys(targets).length - i) - 5000;
    if (ms < MIN_STEP_MS) {
      rows.push([zooFile, undefined, undefined, undefined, undefined, undefined, undefined, 'SKIPPED: budget too small']);
      continue;
    }
    const model = await benchModel(zooFile);
    const r = await step(`bench ${zooFile}`, ['--import', 'tsx', '--import', './tools/wgsl-register.mjs', 'bench/main.ts', '--model', model.path, '--runs', RUNS, '--only', 'ours,ort-webgpu,ort-wasm,ort-node-cpu,ort-node-webgpu'], ms, env);
    const label = `${zooFile}${model.real ? '' : ' (stand-in)'}`;
    if (r.timedOut || r.code !== 0) {
      rows.push([label, undefined, undefined, undefined, undefined, undefined, undefined, r.timedOut ? `TIMED OUT after ${Math.round(ms / 1000)} s` : `bench failed (exit ${r.code}, see gpu-check.log)`]);
      continue;
    }
    const latest = JSON.parse(await readFile(`${RESULTS_DIR}latest.json`, 'utf8')) as LatestJson;
    const med = (p: keyof LatestJson['results']) => {
      const v = latest.results[p];
      return v && 'median_ms' in v ? v.median_ms : undefined;
    };
    const ours = med('ours');
    const webgpu = med('ort-webgpu');
    rows.push([label, ours, webgpu, med('ort-wasm'), med('ort-node-cpu'), med('ort-node-webgpu'), ours ? gmacPerSecond(latest.macs, ours) : undefined,
      ours === undefined ? `ours failed: ${JSON.stringify(latest.results.ours)}` : targets[zooFile](ours, webgpu)]);
  }

  say('');
  say(renderTable(['check', 'ours ms', 'ort-webgpu ms', 'ort-wasm ms', 'ort-node-cpu ms', 'ort-node-webgpu ms', 'ours GMAC/s', 'result'], rows));
  say('');
  say(`adapter: ${adapterLine}; ${Math.round((Date.now() - started) / 1000)} s of the ${BUDGET_MS / 1000} s budget; medians of ${RUNS} runs; full output: ${LOG}`);
  await writeFile(REPORT, `${report.join('\n')}\n`);
  console.log(`wrote ${REPORT}`);
  return tests?.code === 0 && rows.every((r) => !String(r[7]).match(/TIMED OUT|SKIPPED|failed/)) ? 0 : 1;
}

// Exit explicitly: dawn.node keeps native handles open.
process.exit(await main().catch((e: unknown) => {
  console.error(`gpu-check: ${(e as Error).stack ?? e}`);
  return 1;
}));
