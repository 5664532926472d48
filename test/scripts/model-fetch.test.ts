/**
 * model:fetch against a local HTTP server on 127.0.0.1 (the zoo URL is overridable): success, checksum
 * mismatch, truncated download, server error; after a failure local R2 holds exactly what it held before.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SQUEEZENET11_PATH } from '../../models/paths.ts';
import type { ZooFile } from '../../models/zoo.ts';
import { fetchModel } from '../../scripts/model-fetch.ts';
import { getLocalObject, putLocalObject } from '../../scripts/local-r2.ts';
import { readProjectConfig } from '../../scripts/project-config.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('npm run model:fetch', () => {
  const config = readProjectConfig();
  let server: Server;
  let base: string;
  let model: Uint8Array;
  const labels = new TextEncoder().encode('n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n');
  let persistTo: string;
  /** path -> how to answer */
  let routes: Record<string, (res: import('node:http').ServerResponse) => void>;

  const files = (): { model: ZooFile; labels: ZooFile } => ({
    model: { path: 'squeezenet/model/squeezenet1.1-7.onnx', bytes: model.byteLength, sha256: sha256(model) },
    labels: { path: 'synset.txt', bytes: -1, sha256: sha256(labels) },
  });
  const serve = (bytes: Uint8Array) => (res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'Content-Length': bytes.byteLength });
    res.end(bytes);
  };

  beforeAll(async () => {
    model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
    server = createServer((req, res) => {
      const route = routes[req.url!.replace(/^\//, '')];
      if (route) route(res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => {
    persistTo = await mkdtemp(path.join(tmpdir(), 'fetch-r2-'));
    routes = { 'squeezenet/model/squeezenet1.1-7.onnx': serve(model), 'synset.txt': serve(labels) };
    return () => rm(persistTo, { recursive: true, force: true });
  });

  const run = (lines: string[] = []) => fetchModel(config, { baseUrl: base, files: files(), persistTo, retries: 1, timeoutMs: 10_000, log: (l) => lines.push(l) });

  it('should download, verify and store the model and labels in local R2', async () => {
    await run();
    expect(sha256((await getLocalObject(config.bucket, config.modelKey, persistTo))!)).toBe(sha256(model));
    expect(await getLocalObject(config.bucket, config.labelsKey, persistTo)).toEqual(labels);
  });

  it('should refuse a checksum mismatch and leave R2 untouched', async () => {
    const previous = new TextEncoder().encode('previous model');
    await putLocalObject(config.bucket, config.modelKey, previous, persistTo);
    const tampered = model.slice();
    tampered[1000] ^= 0xff;
    routes['squeezenet/model/squeezenet1.1-7.onnx'] = serve(tampered);
    await expect(run()).rejects.toThrow(/SHA-256 .* does not match/);
    expect(await getLocalObject(config.bucket, config.modelKey, persistTo)).toEqual(previous);
    expect(await getLocalObject(config.bucket, config.labelsKey, persistTo)).toBeUndefined();
  });

  it('should refuse a truncated download (retried, then an error) and store nothing', async () => {
    let attempts = 0;
    routes['squeezenet/model/squeezenet1.1-7.onnx'] = (res) => {
      attempts++;
      res.writeHead(200, { 'Content-Length': model.byteLength });
      res.write(model.slice(0, 1000), () => res.destroy()); // the connection drops mid-body
    };
    await expect(run()).rejects.toThrow(/truncated|terminated|bytes|socket|closed/i);
    expect(attempts).toBe(2);
    expect(await getLocalObject(config.bucket, config.modelKey, persistTo)).toBeUndefined();
  });

  it('should report a server error with its status and store nothing', async () => {
    routes['synset.txt'] = (res) => res.writeHead(500).end('boom');
    await expect(run()).rejects.toThrow(/HTTP 500/);
    expect(await getLocalObject(config.bucket, config.modelKey, persistTo)).toBeUndefined();
  });
});
