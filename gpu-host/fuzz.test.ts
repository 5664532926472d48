import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ByteWriter, writeCommand, writeHeader } from '../bridge/codec.ts';
import { connectBridgeGPU } from '../bridge/client.ts';
import { FrameKind, Op } from '../bridge/protocol.ts';
import { buildAffine, seededFloats } from '../bridge/test-workload.ts';
import { startGpuHost, type GpuHost } from './server.ts';
import { batchFrame, helloFrame, RawClient, waitForHealth } from './test-support.ts';

const TOKEN = 'fuzz-token';
let host: GpuHost;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, caps: { maxBufferBytes: 16 << 20, maxObjects: 2000, maxMessageBytes: 1 << 20 }, log: () => {} });
});
afterAll(async () => {
  await host?.close();
});

/** xorshift32: the same 200 frames on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

const WGSL = '@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@compute @workgroup_size(1) fn main() { a[0] = 1.0; }';
const NASTY = [0, -1, 1, 2, 3, 4, 7, 16, 255, 65535, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, NaN, Infinity, -Infinity, 0.5];
const JSONS: unknown[] = [null, 1, 'x', [], {}, { code: 5 }, { entries: 'no' }, { entries: [{ binding: 'a' }] }, { layout: 1, entries: [{ binding: 0, resource: { buffer: 1 } }] }, { compute: { module: 2 } }, { type: 'timestamp', count: 1e9 }, { requiredLimits: { maxBufferSize: 1e20 } }, { __proto__: { polluted: true } }];

/** A structurally valid batch: buffers, a module, an encoder with a pass, a copy, a submit, scopes, a map. */
function seedBatch(): [number, Parameters<typeof writeCommand>[2]][] {
  return [
    [Op.CreateBuffer, { nums: [100, 1024, 0x80 | 0x08 | 0x04, 0] }],
    [Op.CreateBuffer, { nums: [101, 1024, 0x01 | 0x08, 0] }],
    [Op.CreateBuffer, { nums: [102, 256, 0x02 | 0x04, 1] }],
    [Op.BufferWriteMapped, { nums: [102, 0], bin: new Uint8Array(256).fill(7) }],
    [Op.BufferUnmap, { nums: [102] }],
    [Op.CreateShaderModule, { nums: [103], json: { code: WGSL } }],
    [Op.WriteBuffer, { nums: [100, 0], bin: new Uint8Array(64).fill(3) }],
    [Op.PushErrorScope, { nums: [0] }],
    [Op.CreateCommandEncoder, { nums: [104] }],
    [Op.BeginComputePass, { nums: [104, 105] }],
    [Op.PassEnd, { nums: [105] }],
    [Op.CopyBufferToBuffer, { nums: [104, 100, 0, 101, 0, 64] }],
    [Op.ClearBuffer, { nums: [104, 100, 0, -1] }],
    [Op.Finish, { nums: [104, 106] }],
    [Op.Submit, { nums: [106] }],
    [Op.PopErrorScope, { callId: 900 }],
    [Op.BufferMapAsync, { callId: 901, nums: [101, 1, 0, 64] }],
    [Op.GetCompilationInfo, { callId: 902, nums: [103] }],
    [Op.Release, { nums: [103, 999] }],
    [Op.OnSubmittedWorkDone, { callId: 903 }],
  ];
}

function frameOf(commands: ReturnType<typeof seedBatch>): Uint8Array {
  const w = new ByteWriter();
  writeHeader(w, FrameKind.Batch, 1);
  for (const [op, args] of commands) writeCommand(w, op, args);
  return w.take();
}

function hostileFrame(next: () => number, i: number): Uint8Array | string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  switch (i % 7) {
    case 0: // noise
      return randomBytes(Math.floor(next() * 300));
    case 1: {
      // a valid header, then noise
      const w = new ByteWriter();
      writeHeader(w, FrameKind.Batch, i);
      w.bytes(randomBytes(Math.floor(next() * 200)));
      return w.take();
    }
    case 2: {
      // the seed batch with a few bytes flipped
      const f = frameOf(seedBatch());
      for (let k = 0, n = 1 + Math.floor(next() * 8); k < n; k++) f[Math.floor(next() * f.length)] ^= 1 << Math.floor(next() * 8);
      return f;
    }
    case 3: {
      // the seed batch cut short
      const f = frameOf(seedBatch());
      return f.subarray(0, Math.floor(next() * f.length));
    }
    case 4: {
      // well-formed commands with hostile arguments (any opcode, odd numbers, odd JSON)
      const commands: ReturnType<typeof seedBatch> = [];
      for (let k = 0, n = 1 + Math.floor(next() * 12); k < n; k++) {
        const op = Math.floor(next() * 40);
        // No dispatches: a huge valid dispatch is work, not an attack on the parser.
        if (op === Op.Dispatch || op === Op.DispatchIndirect) continue;
        const nums = Array.from({ length: Math.floor(next() * 7) }, () => (next() < 0.5 ? pick(NASTY) : 100 + Math.floor(next() * 8)));
        commands.push([op, { nums, callId: next() < 0.3 ? 1000 + i : undefined, json: next() < 0.5 ? pick(JSONS) : undefined, bin: next() < 0.3 ? randomBytes(Math.floor(next() * 64)) : undefined }]);
      }
      return frameOf(commands);
    }
    case 5: // text frame
      return `{"op":"createBuffer","size":${i}}`;
    default: {
      // wrong kind / version in an otherwise fine frame
      const f = frameOf(seedBatch());
      f[4 + Math.floor(next() * 4)] = Math.floor(next() * 256);
      return f;
    }
  }
}

describe('hostile frames', () => {
  it('200 seeded random/mutated frames get error replies; the host keeps serving a valid client', async () => {
    const good = await (await connectBridgeGPU(host.url, { token: TOKEN, WebSocket }).requestAdapter())!.requestDevice();
    const kit = buildAffine(good, 2048);
    const input = seededFloats(2048, 11);
    const before = await kit.run(input);

    const raw = await RawClient.connect(host.url);
    raw.send(helloFrame(TOKEN));
    raw.send(batchFrame([[Op.RequestDevice, { callId: 1, json: {} }]]));
    expect(await raw.until(() => raw.reply(1) !== undefined)).toBe(true);
    raw.send(frameOf(seedBatch()));
    expect(await raw.until(() => raw.reply(903) !== undefined)).toBe(true);
    expect(raw.reply(901)?.status).toBe(0); // the unmutated seed is valid

    const next = rng(Number(process.env.FUZZ_SEED ?? 0xc0ffee));
    // FUZZ_FRAMES / FUZZ_SEED let a longer local run explore further; the suite runs the same 200 every time.
    const frames = Number(process.env.FUZZ_FRAMES ?? 200);
    for (let i = 0; i < frames; i++) raw.send(hostileFrame(next, i));
    raw.send(batchFrame([[Op.OnSubmittedWorkDone, { callId: 5000 }]]));
    expect(await raw.until(() => raw.reply(5000) !== undefined, 30_000)).toBe(true);
    expect(raw.closed).toBeUndefined();
    const protocolErrors = raw.events('protocolError').length;
    const gpuErrors = raw.events('uncapturederror').length + raw.replies.filter((r) => r.status === 1).length;
    // Every noise, truncated, text and bad-header frame is answered (about 4/7 of 200), plus GPU-level errors.
    expect(protocolErrors).toBeGreaterThanOrEqual(100);
    expect(gpuErrors).toBeGreaterThan(20);

    const after = await kit.run(input);
    expect(Buffer.from(after.y.buffer).equals(Buffer.from(before.y.buffer))).toBe(true);
    expect(Buffer.from(after.back.buffer).equals(Buffer.from(before.back.buffer))).toBe(true);

    raw.terminate();
    good.destroy();
    expect(await waitForHealth(host.port, (h) => h.connections === 0)).toMatchObject({ liveObjects: 0, gpuBytes: 0 });
  });
});

describe('connection isolation', () => {
  it("a connection cannot reach another connection's objects by id", async () => {
    const open = async (): Promise<RawClient> => {
      const c = await RawClient.connect(host.url);
      c.send(helloFrame(TOKEN));
      c.send(batchFrame([[Op.RequestDevice, { callId: 1, json: {} }]]));
      expect(await c.until(() => c.reply(1) !== undefined)).toBe(true);
      return c;
    };
    const a = await open();
    const b = await open();
    a.send(batchFrame([[Op.CreateBuffer, { nums: [7, 4096, 0x80 | 0x08, 0] }], [Op.OnSubmittedWorkDone, { callId: 2 }]]));
    expect(await a.until(() => a.reply(2) !== undefined)).toBe(true);
    const live = (await waitForHealth(host.port, (h) => h.liveObjects === 1)).liveObjects;
    expect(live).toBe(1);

    b.send(
      batchFrame([
        [Op.PushErrorScope, { nums: [0] }],
        [Op.WriteBuffer, { nums: [7, 0], bin: new Uint8Array(16) }],
        [Op.BufferDestroy, { nums: [7] }],
        [Op.Release, { nums: [7] }],
        [Op.PopErrorScope, { callId: 3 }],
      ]),
    );
    expect(await b.until(() => b.reply(3) !== undefined)).toBe(true);
    expect((b.reply(3)?.json as { message: string }).message).toMatch(/no buffer with id 7 on this connection/);
    // A's buffer is untouched.
    expect((await waitForHealth(host.port, () => true)).liveObjects).toBe(1);
    a.send(batchFrame([[Op.WriteBuffer, { nums: [7, 0], bin: new Uint8Array(16) }], [Op.PushErrorScope, { nums: [0] }], [Op.WriteBuffer, { nums: [7, 16], bin: new Uint8Array(16) }], [Op.PopErrorScope, { callId: 4 }]]));
    expect(await a.until(() => a.reply(4) !== undefined)).toBe(true);
    expect(a.reply(4)?.json ?? null).toBeNull();
    a.close();
    b.close();
    expect(await waitForHealth(host.port, (h) => h.connections === 0)).toMatchObject({ liveObjects: 0 });
  });
});
