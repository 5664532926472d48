/**
 * @module `--profile`: GPU time per kernel family for ours, without timestamp queries (llvmpipe/GL has none).
 *
 * 1. Record: during one ordinary `session.run`, the device's command encoder is wrapped so every
 *    setPipeline/setBindGroup/dispatchWorkgroups the session issues is captured (public WebGPU API only; the
 *    session's private dispatch list stays private). `session.dispatchList` gives each its label and family.
 * 2. Time: each captured dispatch is replayed alone in its own submit and awaited with
 *    `queue.onSubmittedWorkDone()`; the round trip of an empty submit is subtracted. Replays reuse the session's
 *    bind groups, so they read and write the same buffers, with real activations left by step 1.
 * The sum of the parts is compared with one whole-model submit, to show what one-at-a-time costs in overhead.
 */
import type { InferenceSession } from '../engine/index.ts';
import { median } from './stats.ts';

interface CapturedDispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

export interface DispatchTime {
  label: string;
  family: string;
  ms: number;
}

/** Time of a group of dispatches: a kernel family, or one kernel. */
export interface GroupTime {
  name: string;
  dispatches: number;
  ms: number;
  percent: number;
}

export interface Profile {
  dispatches: DispatchTime[];
  families: GroupTime[];
  /** The same, per kernel (label prefix, e.g. `conv2d_1x1`): a family can hold variants with very different costs. */
  kernels: GroupTime[];
  /** Sum of the per-dispatch times (overhead subtracted). */
  sumMs: number;
  /** All dispatches in one submit, as `run` does, without upload/readback. */
  wholeMs: number;
  /** Round trip of an empty submit, subtracted from every dispatch. */
  overheadMs: number;
  repeats: number;
}

/** Captures the compute dispatches of one `run` by wrapping `device.createCommandEncoder` for its duration. */
async function captureDispatches(session: InferenceSession, feeds: Record<string, Float32Array>): Promise<CapturedDispatch[]> {
  const device = session.device;
  const captured: CapturedDispatch[] = [];
  const original = device.createCommandEncoder.bind(device);
  const wrapEncoder = (descriptor?: GPUCommandEncoderDescriptor): GPUCommandEncoder => {
    const encoder = original(descriptor);
    const beginComputePass = encoder.beginComputePass.bind(encoder);
    Object.defineProperty(encoder, 'beginComputePass', {
      configurable: true,
      value: (passDescriptor?: GPUComputePassDescriptor) => {
        const pass = beginComputePass(passDescriptor);
        let pipeline: GPUComputePipeline | undefined;
        let bindGroup: GPUBindGroup | undefined;
        const setPipeline = pass.setPipeline.bind(pass);
        const setBindGroup = pass.setBindGroup.bind(pass) as (index: number, group: GPUBindGroup | null, ...rest: unknown[]) => undefined;
        const dispatch = pass.dispatchWorkgroups.bind(pass);
        Object.defineProperties(pass, {
          setPipeline: { configurable: true, value: (p: GPUComputePipeline) => ((pipeline = p), setPipeline(p)) },
          setBindGroup: {
            configurable: true,
            value: (index: number, group: GPUBindGroup | null, ...rest: unknown[]) => {
              if (index !== 0 || rest.length > 0) throw new Error('profile: only bind group 0 without dynamic offsets is replayable');
              bindGroup = group ?? undefined;
              return setBindGroup(index, group, ...rest);
            },
          },
          dispatchWorkgroups: {
            configurable: true,
            value: (x: number, y = 1, z = 1) => {
              if (!pipeline || !bindGroup) throw new Error('profile: dispatch before pipeline/bind group');
              captured.push({ pipeline, bindGroup, workgroups: [x, y, z] });
              return dispatch(x, y, z);
            },
          },
        });
        return pass;
      },
    });
    return encoder;
  };
  Object.defineProperty(device, 'createCommandEncoder', { configurable: true, value: wrapEncoder });
  try {
    await session.run(feeds);
  } finally {
    // The own property shadowed the prototype's method; removing it restores the device exactly.
    delete (device as { createCommandEncoder?: unknown }).createCommandEncoder;
  }
  return captured;
}

/** Wall time of one submit of `dispatches` (possibly none) until the queue reports it done. */
async function timeSubmit(device: GPUDevice, dispatches: readonly CapturedDispatch[]): Promise<number> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.workgroups);
  }
  pass.end();
  const commands = encoder.finish();
  const t0 = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

async function medianOf(repeats: number, once: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) samples.push(await once());
  return median(samples);
}

/** Total time per group, largest first. */
function groupTimes(dispatches: readonly DispatchTime[], key: (d: DispatchTime) => string, sumMs: number): GroupTime[] {
  const groups = new Map<string, { dispatches: number; ms: number }>();
  for (const d of dispatches) {
    const g = groups.get(key(d)) ?? { dispatches: 0, ms: 0 };
    g.dispatches++;
    g.ms += d.ms;
    groups.set(key(d), g);
  }
  return [...groups]
    .map(([name, g]) => ({ name, dispatches: g.dispatches, ms: g.ms, percent: sumMs > 0 ? (100 * g.ms) / sumMs : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

export async function profileSession(session: InferenceSession, feeds: Record<string, Float32Array>, repeats = 5): Promise<Profile> {
  const device = session.device;
  const captured = await captureDispatches(session, feeds);
  const list = session.dispatchList;
  if (captured.length !== list.length) throw new Error(`profile: captured ${captured.length} dispatches, the session lists ${list.length}`);

  device.pushErrorScope('validation');
  await timeSubmit(device, captured); // settle: first replay may still pay lazy driver work
  const overheadMs = await medianOf(Math.max(9, repeats * 2), () => timeSubmit(device, []));
  const dispatches: DispatchTime[] = [];
  for (let i = 0; i < captured.length; i++) {
    const ms = await medianOf(repeats, () => timeSubmit(device, [captured[i]]));
    dispatches.push({ label: list[i].label, family: list[i].family, ms: Math.max(0, ms - overheadMs) });
  }
  const wholeMs = Math.max(0, (await medianOf(repeats, () => timeSubmit(device, captured))) - overheadMs);
  const error = await device.popErrorScope();
  if (error) throw new Error(`profile: replay failed validation: ${error.message}`);

  const sumMs = dispatches.reduce((a, d) => a + d.ms, 0);
  const families = groupTimes(dispatches, (d) => d.family, sumMs);
  const kernels = groupTimes(dispatches, (d) => d.label.split(':')[0], sumMs);
  return { dispatches, families, kernels, sumMs, wholeMs, overheadMs, repeats };
}
