import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGpuHost, type GpuHost } from '../gpu-host/server.ts';
import { connectBridgeGPU } from './client.ts';

const TOKEN = 'errors-token';
let host: GpuHost;
let device: GPUDevice;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} });
  const adapter = await connectBridgeGPU(host.url, { token: TOKEN, WebSocket }).requestAdapter();
  device = await adapter!.requestDevice();
});
afterAll(async () => {
  device?.destroy();
  await host?.close();
});

const BAD_WGSL = `@compute @workgroup_size(1)
fn main() {
  let x: f32 = undefined_thing;
}`;

describe('WebGPU errors through the bridge', () => {
  it('bad WGSL: popErrorScope returns the validation error and getCompilationInfo the compiler message', async () => {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: BAD_WGSL, label: 'bad.wgsl' });
    device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const error = await device.popErrorScope();
    expect(error).not.toBeNull();
    expect(error!.constructor.name === 'GPUValidationError' || (error as Error).name === 'GPUValidationError').toBe(true);
    expect(error!.message).toMatch(/undefined_thing/);

    const info = await module.getCompilationInfo();
    const messages = info.messages.filter((m) => m.type === 'error');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0].message).toMatch(/undefined_thing/);
    expect(messages[0].lineNum).toBe(3);
  });

  it('createComputePipelineAsync rejects with a GPUPipelineError', async () => {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: BAD_WGSL });
    const failed = device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    await expect(failed).rejects.toMatchObject({ name: 'GPUPipelineError', reason: 'validation' });
    const scoped = await device.popErrorScope();
    expect(scoped?.message).toMatch(/undefined_thing/);
  });

  it('a clean scope pops null; an empty stack rejects', async () => {
    device.pushErrorScope('validation');
    device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE }).destroy();
    expect(await device.popErrorScope()).toBeNull();
    await expect(device.popErrorScope()).rejects.toMatchObject({ name: 'OperationError' });
  });

  it('scopes nest and filter: an out-of-memory scope does not catch a validation error', async () => {
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }); // invalid usage combination
    const inner = await device.popErrorScope();
    const outer = await device.popErrorScope();
    expect(inner).toBeNull();
    expect(outer?.message).toMatch(/usage/i);
  });

  it('an unscoped error fires uncapturederror on the device', async () => {
    const seen = new Promise<string>((resolve) => {
      device.addEventListener('uncapturederror', (ev) => resolve((ev as GPUUncapturedErrorEvent).error.message), { once: true });
    });
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.MAP_WRITE });
    await device.queue.onSubmittedWorkDone(); // flushes; the host's error event comes back with the reply
    expect(await seen).toMatch(/usage/i);
  });

  it('objects of another device are refused at once', async () => {
    const other = await (await connectBridgeGPU(host.url, { token: TOKEN, WebSocket }).requestAdapter())!.requestDevice();
    const foreign = other.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST });
    expect(() => device.queue.writeBuffer(foreign, 0, new Float32Array(4))).toThrow(/not an object of this GPU bridge device/);
    other.destroy();
  });
});
