import { describe, expect, it } from 'vitest';
import { Batcher, batchSizeFor, batchSizes } from './batcher.ts';

describe('batchSizeFor', () => {
  it('should pick the largest power of two within the queue and the cap', () => {
    expect([1, 2, 3, 4, 5, 7, 8, 9, 16, 100].map((n) => batchSizeFor(n, 8))).toEqual([1, 2, 2, 4, 4, 4, 8, 8, 8, 8]);
    expect(batchSizeFor(5, 1)).toBe(1);
  });
});

describe('batchSizes', () => {
  it('should list every size batchSizeFor can pick, smallest first', () => {
    expect(batchSizes(8)).toEqual([1, 2, 4, 8]);
    expect(batchSizes(12)).toEqual([1, 2, 4, 8]);
    expect(batchSizes(1)).toEqual([1]);
    for (let n = 1; n <= 40; n++) expect(batchSizes(12)).toContain(batchSizeFor(n, 12));
  });
});

describe('Batcher', () => {
  it('should run a lone request at once and batch the ones that queue behind a busy run', async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new Batcher<number, number>(
      {
        async run(inputs) {
          runs.push(inputs);
          if (runs.length === 1) await new Promise<void>((r) => (release = r));
          return inputs.map((x) => x * 10);
        },
      },
      { maxBatch: 4 },
    );
    const first = batcher.submit(1);
    const rest = [2, 3, 4, 5, 6].map((x) => batcher.submit(x));
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40, 50, 60]);
    expect(runs).toEqual([[1], [2, 3, 4, 5], [6]]);
  });

  it('should fail only the requests of a failed run', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(
      {
        async run(inputs) {
          calls++;
          if (calls === 1) throw new Error('GPU lost');
          return inputs;
        },
      },
      { maxBatch: 1 },
    );
    const a = batcher.submit(1);
    const b = batcher.submit(2);
    await expect(a).rejects.toThrow('GPU lost');
    expect(await b).toBe(2);
  });

  it('should say when it is idle: at once when nothing runs, else once every queued request has run', async () => {
    let release: () => void = () => undefined;
    const batcher = new Batcher<number, number>({ run: async (inputs) => (await new Promise<void>((r) => (release = r)), inputs) }, { maxBatch: 1 });
    await batcher.idle();
    const done: string[] = [];
    void batcher.submit(1).then(() => done.push('a'));
    void batcher.submit(2).then(() => done.push('b'));
    const idle = batcher.idle().then(() => done.push('idle'));
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await idle;
    expect(done).toEqual(['a', 'b', 'idle']);
  });
});
