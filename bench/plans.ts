/**
 * @module What the Durable Object's four batch sizes (1, 2, 4, 8) cost to build, both ways in one run on one
 * device: four independent sessions (`InferenceSession.create(device, bytes)` each: parse, weights and plan
 * every time, as the DO did) against one prepared model, one DeviceModel and four plans. Prints build time
 * (median of rounds, warm pipeline cache, no warm-up runs) and the GPU bytes each way holds.
 *
 *   node --import tsx --import ./tools/wgsl-register.mjs bench/plans.ts [--model file.onnx] [--rounds N]
 */
import { parseArgs } from 'node:util';
import { openDawnDevice } from '../gpu-host/dawn.ts';
import { DeviceModel, InferenceSession, prepareModel } from '../engine/index.ts';
import { resolveModel } from './model.ts';
import { median } from './stats.ts';

const BATCHES = [1, 2, 4, 8];

/** Counts the bytes of live buffers on `device` (created minus destroyed). */
function liveBytes(device: GPUDevice): () => number {
  let live = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = create(descriptor);
    live += descriptor.size;
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) live -= descriptor.size;
      destroyed = true;
      return destroy();
    };
    return buffer;
  };
  return () => live;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
  const model = await resolveModel(values.model);
  const { device } = await openDawnDevice();
  const bytesNow = liveBytes(device);
  const shape = (n: number) => ({ [model.inputName]: [n, ...model.inputDims.slice(1)] });
  const ways: Record<string, () => Promise<() => void>> = {
    'four sessions': async () => {
      const sessions: InferenceSession[] = [];
      for (const n of BATCHES) sessions.push(await InferenceSession.create(device, model.bytes, { inputShapes: shape(n), warmup: false }));
      return () => sessions.forEach((s) => s.dispose());
    },
    'one DeviceModel, four plans': async () => {
      const onGpu = new DeviceModel(device, prepareModel(model.bytes));
      for (const n of BATCHES) await InferenceSession.create(onGpu, { inputShapes: shape(n), warmup: false });
      return () => onGpu.dispose();
    },
  };
  // Compile every pipeline once, so both ways find the cache warm.
  (await ways['four sessions']())();
  console.log(`model: ${model.description}; batch sizes ${BATCHES.join(', ')}; ${values.rounds} rounds, interleaved`);
  const times: Record<string, number[]> = {};
  const gpuBytes: Record<string, number> = {};
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const [name, build] of Object.entries(ways)) {
      const before = bytesNow();
      const t = performance.now();
      const dispose = await build();
      (times[name] ??= []).push(performance.now() - t);
      gpuBytes[name] = bytesNow() - before;
      dispose();
    }
  }
  for (const name of Object.keys(ways)) {
    console.log(`${name.padEnd(28)} build median ${median(times[name]).toFixed(0)} ms (min ${Math.min(...times[name]).toFixed(0)}), GPU bytes ${gpuBytes[name].toLocaleString('en-US')}`);
  }
  process.exit(0);
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});
