/** wasmInstance: one shared instance; a throwing call or a failed instantiation is not kept. */
import { describe, expect, it } from 'vitest';
import { KEEP_MEMORY_BYTES, wasmInstance } from './wasm-instance.ts';

describe('wasmInstance', () => {
  it('creates once and shares the instance between calls, also concurrent first calls', async () => {
    let created = 0;
    const lazy = wasmInstance(async () => ({ id: ++created }), () => 0);
    const ids = await Promise.all([lazy.use((i) => i.id), lazy.use((i) => i.id), lazy.use(async (i) => i.id)]);
    expect(ids).toEqual([1, 1, 1]);
    expect(created).toBe(1);
  });

  it('drops the instance after a call throws, and creates a fresh one next time', async () => {
    let created = 0;
    const lazy = wasmInstance(async () => ({ id: ++created }), () => 0);
    await expect(lazy.use(() => { throw new Error('abort'); })).rejects.toThrow('abort');
    expect(await lazy.use((i) => i.id)).toBe(2);
    expect(await lazy.use((i) => i.id)).toBe(2);
  });

  it('retries a failed instantiation instead of caching the failure', async () => {
    let attempts = 0;
    const lazy = wasmInstance(async () => {
      if (++attempts === 1) throw new Error('instantiate failed');
      return { id: attempts };
    }, () => 0);
    await expect(lazy.use((i) => i.id)).rejects.toThrow('instantiate failed');
    expect(await lazy.use((i) => i.id)).toBe(2);
    expect(attempts).toBe(2);
  });

  it('drops an instance whose memory grew past KEEP_MEMORY_BYTES during a call, keeps one that did not', async () => {
    let created = 0;
    const lazy = wasmInstance(async () => ({ id: ++created, bytes: 1 << 20 }), (i) => i.bytes);
    expect(await lazy.use((i) => i.id)).toBe(1);
    expect(await lazy.keptMemoryBytes()).toBe(1 << 20);
    expect(await lazy.use((i) => { i.bytes = KEEP_MEMORY_BYTES + 65536; return i.id; })).toBe(1);
    expect(await lazy.keptMemoryBytes()).toBe(0);
    expect(await lazy.use((i) => i.id)).toBe(2);
  });
});
