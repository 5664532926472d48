import { describe, expect, it } from 'vitest';
import { backoffMs, HostTable, hostsToTry } from './host-table.ts';

const A = 'ws://127.0.0.1:8790';
const B = 'ws://127.0.0.1:8791';
const C = 'ws://127.0.0.1:8792';

describe('HostTable', () => {
  it('starts every configured host up, follows the configured list, and keeps what it knew', () => {
    const t = new HostTable();
    t.sync([A, B]);
    t.down(B, 'refused', 1_000);
    t.sync([A, B, C]);
    expect(t.snapshot()).toEqual([
      { url: A, ok: true, retryAt: 0 },
      { url: B, ok: false, error: 'refused', retryAt: 2_000 },
      { url: C, ok: true, retryAt: 0 },
    ]);
    t.sync([C]);
    expect(t.snapshot().map((h) => h.url)).toEqual([C]);
  });

  it('retries a down host after 1, 2, 4, 8, then every 10 s, and forgets the failures once it answers', () => {
    expect([1, 2, 3, 4, 5, 9].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    const t = new HostTable();
    t.sync([A]);
    for (const now of [0, 1_000, 3_000]) t.down(A, 'no answer', now);
    expect(t.snapshot()[0].retryAt).toBe(7_000);
    expect(t.due(6_999)).toEqual([]);
    expect(t.due(7_000)).toEqual([A]);
    t.up(A);
    expect(t.snapshot()).toEqual([{ url: A, ok: true, retryAt: 0 }]);
    t.down(A, 'again', 10_000);
    expect(t.snapshot()[0].retryAt).toBe(11_000);
  });

  it('lets an up host miss one probe (busy), not two in a row; a down host that misses stays down longer', () => {
    const t = new HostTable();
    t.sync([A]);
    t.missed(A, 'no answer', 0);
    expect(t.snapshot()[0].ok).toBe(true);
    t.up(A);
    t.missed(A, 'no answer', 0);
    expect(t.snapshot()[0].ok).toBe(true);
    t.missed(A, 'no answer', 1_000);
    expect(t.snapshot()[0]).toEqual({ url: A, ok: false, error: 'no answer', retryAt: 2_000 });
    t.missed(A, 'no answer', 2_000);
    expect(t.snapshot()[0].retryAt).toBe(4_000);
  });
});

describe('hostsToTry', () => {
  const up = (url: string) => ({ url, ok: true, retryAt: 0 });
  const down = (url: string) => ({ url, ok: false, retryAt: 50 });

  it('tries the live hosts from home onwards, none that is down', () => {
    expect(hostsToTry([up(A), up(B), up(C)], 1)).toEqual([B, C, A]);
    expect(hostsToTry([up(A), down(B), up(C)], 1)).toEqual([C, A]);
    expect(hostsToTry([down(A), down(B)], 0)).toEqual([]);
  });
});
