/** /healthz's body from replica and host reports (worker/health-report.ts): no Worker or GPU needed. */
import { describe, expect, it } from 'vitest';
import type { ReplicaHealth } from '../../durable-objects/protocol.ts';
import { serviceHealth } from '../../worker/health-report.ts';

const H0 = 'ws://127.0.0.1:8790';
const H1 = 'ws://127.0.0.1:8791';
const gpu = { vendor: 'mesa', architecture: '', device: 'llvmpipe', description: 'GL' };

function replica(key: string, r: number, over: Partial<ReplicaHealth> = {}): ReplicaHealth {
  const host = r % 2 ? H1 : H0;
  return {
    ok: true,
    replica: r,
    home: host,
    host,
    gpu,
    model: { key, loaded: true, sha256: 'abc', standIn: false },
    loader: { r2Reads: 1, sessionBuilds: 1, loads: 1 },
    batches: { '1': 10, '2': r + 1 },
    batching: { maxBatch: 8, ready: r ? [1, 2] : [1, 2, 4], preparing: r === 1 },
    served: { [host]: 10 + r },
    ...over,
  };
}
const hostsUp = [
  { url: H0, ok: true, retryAt: 0 },
  { url: H1, ok: true, retryAt: 0 },
];

describe('serviceHealth', () => {
  it('lists every model and host, the default model in the SPEC shape, replicas combined', () => {
    const h = serviceHealth(
      [
        { key: 'a.onnx', replicas: [replica('a.onnx', 0), replica('a.onnx', 1)] },
        { key: 'b.onnx', replicas: [replica('b.onnx', 0), replica('b.onnx', 1)] },
      ],
      hostsUp,
    );
    expect(h.ok).toBe(true);
    expect(h.reason).toBeUndefined();
    expect(h.gpu).toEqual(gpu);
    expect(h.model).toEqual({ key: 'a.onnx', loaded: true, sha256: 'abc', standIn: false });
    expect(h.models.map((m) => [m.key, m.ok, m.replicas.map((r) => r.host)])).toEqual([
      ['a.onnx', true, [H0, H1]],
      ['b.onnx', true, [H0, H1]],
    ]);
    // Served counts add up over both models' replicas on each host.
    expect(h.hosts).toEqual([
      { url: H0, ok: true, served: 20 },
      { url: H1, ok: true, served: 22 },
    ]);
    expect(h.loader).toEqual({ r2Reads: 2, sessionBuilds: 2, loads: 2 });
    expect(h.batches).toEqual({ '1': 20, '2': 3 });
    expect(h.batching).toEqual({ maxBatch: 8, ready: [1, 2], preparing: true });
  });

  it('stays ok with one host down while a replica of every model serves', () => {
    const h = serviceHealth(
      [{ key: 'a.onnx', replicas: [replica('a.onnx', 0), replica('a.onnx', 1, { ok: false, reason: 'The GPU is not available: gone' })] }],
      [hostsUp[0], { url: H1, ok: false, error: 'unreachable', retryAt: 5 }],
    );
    expect(h.ok).toBe(true);
    expect(h.hosts[1]).toEqual({ url: H1, ok: false, error: 'unreachable', served: 11 });
  });

  it('is not ok when a model has no serving replica, giving its reason, or when no host answers', () => {
    const broken = serviceHealth(
      [
        { key: 'a.onnx', replicas: [replica('a.onnx', 0)] },
        { key: 'b.onnx', replicas: [replica('b.onnx', 0, { ok: false, reason: 'No model is stored under "b.onnx"', host: null, model: { key: 'b.onnx', loaded: false, sha256: null, standIn: null } })] },
      ],
      hostsUp,
    );
    expect(broken.ok).toBe(false);
    expect(broken.reason).toBe('No model is stored under "b.onnx"');
    expect(broken.models[1]).toMatchObject({ key: 'b.onnx', loaded: false, sha256: null, ok: false });

    const noHost = serviceHealth([{ key: 'a.onnx', replicas: [replica('a.onnx', 0)] }], [{ url: H0, ok: false, error: 'no answer', retryAt: 1 }]);
    expect(noHost.ok).toBe(false);
    expect(noHost.reason).toBe(`no GPU host answers (${H0}: no answer)`);
  });
});
