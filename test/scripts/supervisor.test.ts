/**
 * `npm start`'s supervision (scripts/supervisor.ts) on real processes: a GPU host that is SIGKILLed is restarted
 * on its port and answers again; a child that keeps crashing is restarted with growing, capped delays; stop()
 * ends the child for good.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { health } from '../../gpu-host/test-support.ts';
import { PROJECT_ROOT } from '../../scripts/project-config.ts';
import { restartDelayMs, Supervised } from '../../scripts/supervisor.ts';
import { freePort } from '../service/harness.ts';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(probe()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('restartDelayMs', () => {
  it('doubles from 1 s and stops at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => restartDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

describe('Supervised', () => {
  it('restarts a SIGKILLed GPU host on the same port, logs why, and stop() ends it for good', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const host = new Supervised({
      name: 'gpu-host',
      command: process.execPath,
      args: ['--import', 'tsx', 'gpu-host/main.ts', '--port', String(port), '--token', randomBytes(8).toString('hex')],
      cwd: PROJECT_ROOT,
      log: (l) => lines.push(l),
      output: (l) => lines.push(l),
    });
    host.start();
    try {
      await until(async () => ((await health(port)).ok ? true : undefined), 60_000);
      const first = host.pid!;
      process.kill(first, 'SIGKILL');
      const back = await until(async () => ((await health(port)).ok && host.pid !== first ? true : undefined), 60_000);
      expect(back).toBe(true);
      expect(lines).toContain('gpu-host exited (SIGKILL); restarting in 1.0 s (restart 1)');
      expect(lines.some((l) => l.startsWith('[gpu-host] [gpu-host] listening on'))).toBe(true);
    } finally {
      await host.stop();
    }
    expect(host.pid).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    await expect(health(port)).rejects.toThrow();
    expect(lines.filter((l) => l.includes('exited'))).toHaveLength(1);
  });

  it('restarts a child that keeps failing with doubling delays up to the cap', async () => {
    const lines: string[] = [];
    const crasher = new Supervised({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
      cwd: PROJECT_ROOT,
      log: (l) => lines.push(l),
      backoff: { baseMs: 100, maxMs: 400 },
    });
    crasher.start();
    await until(() => (lines.length >= 5 ? true : undefined), 20_000);
    await crasher.stop();
    expect(lines.slice(0, 5)).toEqual([
      'crasher exited (code 3); restarting in 0.1 s (restart 1)',
      'crasher exited (code 3); restarting in 0.2 s (restart 2)',
      'crasher exited (code 3); restarting in 0.4 s (restart 3)',
      'crasher exited (code 3); restarting in 0.4 s (restart 4)',
      'crasher exited (code 3); restarting in 0.4 s (restart 5)',
    ]);
  });
});
