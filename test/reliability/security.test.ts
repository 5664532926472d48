/**
 * Security properties of the two listening processes. GPU host: loopback only, token required, per-connection
 * caps, and no way for one client to reach another client's objects. Worker: no user input reflected into HTML,
 * `X-Content-Type-Options: nosniff` on every response, and no stack traces or filesystem paths in error bodies.
 */
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectBridgeGPU, installWebGPUConstants } from '../../bridge/client.ts';
import { Op, ReplyStatus } from '../../bridge/protocol.ts';
import { checkGpuHostUrl } from '../../durable-objects/gpu-source.ts';
import { startGpuHost, type GpuHost } from '../../gpu-host/server.ts';
import { pngHeaderOnly } from '../../images/test-fixtures.ts';
import { batchFrame, health as hostHealth, helloFrame, RawClient } from '../../gpu-host/test-support.ts';
import { startService, type Service } from '../service/harness.ts';
import { multipart, solidPng } from '../service/images.ts';
import { colourProbeModel, COLOUR_LABELS, fetchWithin, retryUntil } from './support.ts';

/** What must never appear in a body sent to a client: stack frames, our checkout, dependencies. */
const LEAK = /\bat .*\(|\/work\/|node_modules|\/home\/|file:\/\/|\.ts:\d+/;

const TOKEN = 'reliability-security-token';
const CAPS = { maxBufferBytes: 1 << 20, maxObjects: 32, maxMessageBytes: 128 << 10 };

let service: Service;
let host: GpuHost;
let png: Uint8Array;

beforeAll(async () => {
  installWebGPUConstants();
  png = await solidPng([20, 20, 230], 32, 32);
  // A separate in-process host with small caps, so the cap tests do not need megabytes of traffic.
  host = await startGpuHost({ port: 0, token: TOKEN, caps: CAPS, log: () => {}, helloTimeoutMs: 1_000 });
  service = await startService({ model: colourProbeModel(), labels: COLOUR_LABELS });
}, 240_000);
afterAll(async () => {
  await service?.stop();
  await host?.close();
});

async function device(token = TOKEN): Promise<GPUDevice> {
  return (await connectBridgeGPU(host.url, { token, WebSocket, timeoutMs: 10_000 }).requestAdapter())!.requestDevice();
}

async function connected(): Promise<RawClient> {
  const raw = await RawClient.connect(host.url);
  raw.send(helloFrame(TOKEN));
  raw.send(batchFrame([[Op.RequestDevice, { callId: 1, json: {} }]]));
  expect(await raw.until(() => raw.reply(1) !== undefined)).toBe(true);
  expect(raw.reply(1)!.status).toBe(ReplyStatus.Ok);
  return raw;
}

/** True when a TCP connection to address:port is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('GPU host', () => {
  it('listens on loopback only and refuses to bind anything else', async () => {
    expect(host.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    await expect(startGpuHost({ port: 0, token: TOKEN, host: '0.0.0.0' as never, log: () => {} })).rejects.toThrow(/loopback only/);
    // The service's own host process: reachable on 127.0.0.1, not on any of this machine's other addresses.
    expect(await accepts('127.0.0.1', service.hostPort)).toBe(true);
    const external = Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
    for (const address of external) expect(await accepts(address, service.hostPort), address).toBe(false);
    // And the Durable Object would not send the token in clear to a non-loopback ws:// host.
    expect(() => checkGpuHostUrl('ws://10.0.0.5:8790', 'x')).toThrow(/not loopback/);
    expect(() => checkGpuHostUrl('ws://127.0.0.1:8790', undefined)).toThrow(/GPU_HOST_TOKEN/);
    expect(() => checkGpuHostUrl('ws://127.0.0.1:8790', 'x')).not.toThrow();
  });

  it('requires the token: a wrong or missing token is refused before any GPU object exists', async () => {
    // The service's host, with the bridge client as the Durable Object uses it.
    const wrong = connectBridgeGPU(`ws://127.0.0.1:${service.hostPort}`, { token: 'guessed', WebSocket, timeoutMs: 5_000 });
    await expect(wrong.requestAdapter()).rejects.toThrow(/refused the connection: invalid token/);
    expect(() => connectBridgeGPU(host.url, { token: '', WebSocket })).toThrow(/token is required/);
    // Raw: commands without a hello, and a hello with the wrong token, both end in a policy close.
    const before = await hostHealth(host.port);
    for (const first of [batchFrame([[Op.RequestDevice, { callId: 1, json: {} }]]), helloFrame('nope')]) {
      const raw = await RawClient.connect(host.url);
      raw.send(first);
      raw.send(batchFrame([[Op.RequestDevice, { callId: 2, json: {} }], [Op.CreateBuffer, { nums: [1, 1024, 0x80, 0] }]]));
      await raw.until(() => false, 1_500);
      expect(raw.closed?.code).toBe(1008);
      expect(raw.reply(2)).toBeUndefined();
    }
    const after = await hostHealth(host.port);
    // Each refused connection counts at least once (a frame already in flight when it closes counts again).
    expect(after.refused - before.refused).toBeGreaterThanOrEqual(2);
    expect(after.liveObjects).toBe(before.liveObjects);
  });

  it('caps each connection: buffer bytes, object count, message size', async () => {
    const d = await device();
    d.pushErrorScope('out-of-memory');
    d.createBuffer({ size: 2 << 20, usage: GPUBufferUsage.STORAGE });
    expect((await d.popErrorScope())?.message).toMatch(/GPU host cap: .*\(max 1048576\)/);
    d.pushErrorScope('out-of-memory');
    for (let i = 0; i < 40; i++) d.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    expect((await d.popErrorScope())?.message).toMatch(/GPU host cap: this connection already holds 32 objects/);
    d.destroy();

    const raw = await connected();
    raw.send(batchFrame([[Op.WriteBuffer, { nums: [1, 0], bin: new Uint8Array(200 << 10) }]]));
    expect(await raw.until(() => raw.events('protocolError').length > 0)).toBe(true);
    expect(raw.events('protocolError')[0].message).toMatch(/exceeds the GPU host's per-connection cap of 131072 bytes/);
    // Far over the cap, the socket itself is closed (ws maxPayload): the host never buffers it.
    raw.send(new Uint8Array(1 << 20));
    await raw.until(() => false, 2_000);
    expect(raw.closed?.code).toBe(1009);
    // Another connection is unaffected by both.
    const other = await connected();
    other.close();
  });

  it("a client cannot reach another client's objects by guessing ids", async () => {
    // A: the real bridge client, holding a buffer with known contents.
    const a = await device();
    const secret = new Uint32Array(64).map((_, i) => 0xc0ffee00 + i);
    const buffer = a.createBuffer({ size: secret.byteLength, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    a.queue.writeBuffer(buffer, 0, secret);
    await a.queue.onSubmittedWorkDone();
    const objectsOfA = (await hostHealth(host.port)).liveObjects;

    // B: a raw client naming ids 1..64 (where A's ids are) in every command that takes a buffer.
    const b = await connected();
    const probes: [number, { callId?: number; nums?: number[]; bin?: Uint8Array }][] = [];
    let callId = 100;
    for (let id = 1; id <= 64; id++) {
      probes.push([Op.BufferMapAsync, { callId: callId++, nums: [id, 1, 0, 16] }]);
      probes.push([Op.WriteBuffer, { nums: [id, 0], bin: new Uint8Array(16) }]);
      probes.push([Op.BufferDestroy, { nums: [id] }]);
      probes.push([Op.Release, { nums: [id] }]);
    }
    b.send(batchFrame(probes as never));
    expect(await b.until(() => b.replies.filter((r) => r.callId >= 100).length === 64)).toBe(true);
    const mapReplies = b.replies.filter((r) => r.callId >= 100);
    expect(mapReplies.every((r) => r.status === ReplyStatus.Error)).toBe(true);
    expect((mapReplies[0].json as { message: string }).message).toMatch(/no buffer with id 1 on this connection/);
    expect(b.events('uncapturederror').length).toBeGreaterThanOrEqual(64);
    b.close();

    // A's objects and data are intact.
    expect((await hostHealth(host.port)).liveObjects).toBeGreaterThanOrEqual(objectsOfA);
    const read = a.createBuffer({ size: secret.byteLength, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const encoder = a.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, read, 0, secret.byteLength);
    a.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    expect([...new Uint32Array(read.getMappedRange())]).toEqual([...secret]);
    a.destroy();
  });
});

describe('Worker', () => {
  it('GET / is static HTML: query strings and headers are not reflected', async () => {
    const plain = await fetchWithin(`${service.url}/`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^text\/html/);
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(plain.headers.get('content-security-policy')).toMatch(/default-src '(self|none)'/);
    const html = await plain.text();
    const payload = '<script>alert(1)</script>';
    const hostile = await fetchWithin(`${service.url}/?q=${encodeURIComponent(payload)}&top=${encodeURIComponent(payload)}`, {
      headers: { 'X-Forwarded-Host': payload, Referer: `http://x/${payload}`, 'Accept-Language': payload },
    });
    expect(await hostile.text()).toBe(html);
  });

  it('errors are JSON (never HTML) and echo user input only inside JSON strings', async () => {
    const payload = '<img src=x onerror=alert(1)>';
    const responses = [
      await fetchWithin(`${service.url}/?top=${encodeURIComponent(payload)}`, { method: 'POST', body: png, headers: { 'Content-Type': 'image/png' } }),
      await fetchWithin(`${service.url}/?format=${encodeURIComponent(payload)}`, { method: 'POST', body: png, headers: { 'Content-Type': 'image/png' } }),
      await fetchWithin(`${service.url}/${encodeURIComponent(payload)}`),
      await fetchWithin(`${service.url}/`, { method: 'POST', body: new TextEncoder().encode(payload), headers: { 'Content-Type': `text/html; x=${payload.replace(/[<>]/g, '')}` } }),
      await fetchWithin(`${service.url}/`, { method: 'POST', body: multipart(new TextEncoder().encode(`<svg>${payload}</svg>`), 'image/svg+xml', 'file', `${payload}.svg`) }),
    ];
    for (const r of responses) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await r.text();
      // Parses as SPEC's JSON error; whatever it quotes stays inside a JSON string.
      expect(Object.keys(JSON.parse(text))).toEqual(['error']);
    }
  });

  it('every response sets nosniff and no error body leaks a stack trace or a path', async () => {
    const post = (body: BodyInit_, type: string, query = '') => fetchWithin(`${service.url}/${query}`, { method: 'POST', body, headers: { 'Content-Type': type } });
    const cases: [string, () => Promise<Response>][] = [
      ['GET /', () => fetchWithin(`${service.url}/`)],
      ['GET /healthz', () => fetchWithin(`${service.url}/healthz`)],
      ['200 text', () => post(png, 'image/png')],
      ['200 json', () => post(png, 'image/png', '?format=json')],
      ['400 empty', () => post(new Uint8Array(), 'image/png')],
      ['400 undecodable', () => post(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 9, 0, 0, 0, 9, 8, 6, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 73, 69, 78, 68, 0, 0, 0, 0]), 'image/png')],
      ['400 truncated', () => post(png.slice(0, png.length - 5), 'image/png')],
      ['400 multipart', () => post(new TextEncoder().encode('--x\r\nbroken'), 'multipart/form-data; boundary=y')],
      ['404', () => fetchWithin(`${service.url}/nope`)],
      ['405', () => fetchWithin(`${service.url}/healthz`, { method: 'DELETE' })],
      ['413 body', () => post(new Uint8Array(20 * 1024 * 1024 + 1), 'image/png')],
      ['413 pixels', () => post(pngHeaderOnly(100_000, 100_000), 'image/png')],
      ['415', () => post(new TextEncoder().encode('hello'), 'text/plain')],
    ];
    const seen: string[] = [];
    const check = async (name: string, r: Response): Promise<void> => {
      expect(r.headers.get('x-content-type-options'), name).toBe('nosniff');
      const text = await r.text();
      if (r.status >= 400) expect(text, name).not.toMatch(LEAK);
      seen.push(`${name}:${r.status}`);
    };
    for (const [name, send] of cases) await check(name, await send());
    // 503s too: with the GPU host down, both the classify error and /healthz's reason.
    await service.stopHost();
    try {
      await check('503 classify', await post(png, 'image/png'));
      await check('503 healthz', await fetchWithin(`${service.url}/healthz`));
    } finally {
      await service.startHost();
    }
    expect(seen.filter((s) => s.endsWith(':503'))).toHaveLength(2);
    // And back to normal.
    const back = await retryUntil(() => post(png, 'image/png'), (r) => r.status === 200, { ms: 30_000 });
    expect(back.response.status).toBe(200);
  });
});

type BodyInit_ = RequestInit['body'];
