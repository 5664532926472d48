/**
 * @module `onnx info <model.onnx>`: what a model is and how the engine would run it.
 * The static part (inputs, outputs, ops, parameters, MACs, stand-in flag) needs no GPU and is always printed;
 * the runtime part (adapter, kernel variant, kernel label per op, memory, dispatches) comes from building a
 * session, and is replaced by a one-line reason when no device is available or the model cannot be built.
 */
import { readFile } from 'node:fs/promises';
import { InferenceSession } from '../engine/session.ts';
import { parseModel } from '../engine/onnx/parse.ts';
import { optimize, type OptimizedGraph } from '../engine/optimize.ts';
import { unsupportedNodes } from '../engine/prepare.ts';
import { modelInfo, type ModelInfo } from '../engine/model-info.ts';
import { KERNELS } from '../engine/ops/registry.ts';
import { definitionOf } from '../engine/kernel.ts';
import type { Graph } from '../engine/graph.ts';
import { describeAdapter, type CliDevice } from './device.ts';
import { failureReason } from './test-dirs.ts';

const fmt = (n: number): string => n.toLocaleString('en-US');
const dims = (d: readonly (number | string)[]): string => `[${d.join(', ')}]`;

/** Human-readable MACs: 1.23 G / 4.5 M, with the exact count. */
function fmtMacs(n: number): string {
  const units: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  const u = units.find(([v]) => n >= v);
  return u ? `${fmt(n)} (${Number((n / u[0]).toPrecision(3))} ${u[1]})` : fmt(n);
}

function staticLines(path: string, info: ModelInfo): string[] {
  const lines = [
    `model: ${path}`,
    `producer: ${info.producer || '(none)'}, opset ${info.opset}`,
    `stand-in: ${info.standIn ? 'yes (metadata stand_in=true: seeded weights, not a trained checkpoint)' : 'no'}`,
    'inputs:',
    ...info.inputs.map((v) => `  ${v.name} ${dims(v.dims)} ${v.dataType}`),
    'outputs:',
    ...info.outputs.map((v) => `  ${v.name} ${dims(v.dims)} ${v.dataType}`),
    `parameters: ${fmt(info.parameters)}`,
    `MACs: ${fmtMacs(info.macs)}${Object.keys(info.macsByOp).length ? ` (${Object.entries(info.macsByOp).map(([op, m]) => `${op} ${fmt(m)}`).join(', ')})` : ''}`,
  ];
  if (info.macsUnknownNodes.length) lines.push(`  not counted (shapes unknown): ${info.macsUnknownNodes.join(', ')}`);
  return lines;
}

/** What engine/optimize.ts did with op types that leave no node behind. */
const REWRITTEN: Readonly<Record<string, string>> = {
  Relu: 'fused into the producing kernel (no dispatch)',
  LeakyRelu: 'fused into the producing kernel (no dispatch)',
  Clip: 'fused into the producing kernel (no dispatch)',
  Sigmoid: 'fused into the producing kernel (no dispatch)',
  BatchNormalization: 'folded into the Conv weights (no dispatch)',
  Identity: 'removed, pass-through (no dispatch)',
  Dropout: 'removed, pass-through at inference (no dispatch)',
  Constant: 'became an initializer (no dispatch)',
};

/** For each op type: which kernel labels served its nodes, or why none did. */
function kernelsByOp(graph: Graph, opt: OptimizedGraph, session: InferenceSession | undefined): Map<string, string> {
  const kept = new Set(opt.nodes.map((n) => n.opType));
  const unsupported = new Set(unsupportedNodes(opt.nodes, KERNELS).map((n) => n.opType));
  const opOf = new Map(graph.nodes.map((n) => [n.name, n.opType]));
  const labels = new Map<string, Map<string, number>>();
  for (const d of session?.dispatchList ?? []) {
    const sep = d.label.indexOf(':');
    const kernel = sep < 0 ? d.label : d.label.slice(0, sep);
    const op = opOf.get(sep < 0 ? '' : d.label.slice(sep + 1)) ?? '?';
    const m = labels.get(op) ?? new Map<string, number>();
    m.set(kernel, (m.get(kernel) ?? 0) + 1);
    labels.set(op, m);
  }
  const out = new Map<string, string>();
  for (const n of graph.nodes) {
    if (out.has(n.opType)) continue;
    const served = labels.get(n.opType);
    const def = definitionOf(KERNELS, n);
    if (!kept.has(n.opType)) out.set(n.opType, REWRITTEN[n.opType] ?? (def?.evaluate ? 'folded into a constant (no dispatch)' : 'removed by the optimizer (no dispatch)'));
    else if (unsupported.has(n.opType)) out.set(n.opType, 'NO KERNEL');
    else if (!def?.createDispatches && !def?.view) out.set(n.opType, 'CPU only: folded when the plan is made (no dispatch)');
    else if (!session) out.set(n.opType, 'kernel available');
    else if (!served) out.set(n.opType, 'no dispatch (view or in-place)');
    else out.set(n.opType, [...served].map(([k, c]) => `${k} x${c}`).join(', '));
  }
  return out;
}

export async function printInfo(path: string, openDevice: () => Promise<CliDevice>, log: (line: string) => void): Promise<void> {
  const bytes = new Uint8Array(await readFile(path));
  const graph = parseModel(bytes);
  const optimized = optimize(graph, KERNELS);
  const info = modelInfo(graph, KERNELS, { optimized });
  for (const l of staticLines(path, info)) log(l);

  let device: CliDevice | undefined;
  let session: InferenceSession | undefined;
  let runtimeNote: string | undefined;
  try {
    device = await openDevice();
  } catch (e) {
    runtimeNote = `device: unavailable (${failureReason(e)})`;
  }
  if (device) {
    try {
      session = await InferenceSession.create(device.device, bytes, { software: device.software, warmup: false });
    } catch (e) {
      runtimeNote = `session: cannot be built (${failureReason(e)})`;
    }
  }
  try {
    const served = kernelsByOp(graph, optimized, session);
    log('ops:');
    const width = Math.max(...Object.keys(info.opCounts).map((k) => k.length));
    for (const [op, count] of Object.entries(info.opCounts)) {
      log(`  ${op.padEnd(width)} ${String(count).padStart(4)}  ${served.get(op.includes('.') ? op.slice(op.lastIndexOf('.') + 1) : op) ?? ''}`);
    }
    if (info.unsupportedOps.length) log(`unsupported ops: ${info.unsupportedOps.join(', ')}`);
    if (device) {
      log(`adapter: ${describeAdapter(device)}`);
      log(`kernel variant: ${device.software ? 'software (CPU rasteriser: register-tiled kernels)' : 'hardware (GPU: workgroup-memory kernels)'}`);
    }
    if (runtimeNote) log(runtimeNote);
    if (session) {
      const s = session.stats;
      log(`peak activation bytes: ${fmt(s.peakActivationBytes)} (without reuse ${fmt(s.totalActivationBytes)})`);
      log(`weight bytes on GPU: ${fmt(s.weightBytes)}`);
      log(`dispatches: ${s.dispatches} (pipelines ${s.pipelines}, steps ${s.nodes})`);
    }
  } finally {
    session?.dispose();
  }
}
