/**
 * The ONNX backend node tests of our op registry (engine-cli/node-tests.ts, from Debian's libonnx-testdata)
 * through `npm run onnx -- test`, pinned to today's result: every case not listed in KNOWN_FAILURES passes, and
 * every listed one still fails for its stated reason. When a phase-2 change makes a listed case pass, this test
 * fails until the case leaves the list; the list is meant to shrink to empty (issue 13, item 5).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { KERNELS } from '../engine/index.ts';
import { ONNX_NODE_TEST_DIR, registryNodeTests } from './node-tests.ts';
import { runCli } from './test-support.ts';

const failing = (names: readonly string[], reason: RegExp): [string, RegExp][] => names.map((n) => [n, reason]);

/** Each known failure with the FAIL reason `onnx test` prints for it, grouped by the design limit behind it. */
const KNOWN_FAILURES = new Map<string, RegExp>([
  // Empty tensors (a 0 dim), as a graph input or an output: WebGPU has no zero-size bindings and the engine refuses 0 dims.
  ...failing(['test_reshape_allowzero_reordered'], /^Input "data": shape \[0,3,4\] has a dim that is not a positive integer$/),
  ...failing(['test_split_zero_size_splits'], /^Input "input": shape \[0\] has a dim that is not a positive integer$/),
  ...failing(['test_slice_start_out_of_bounds'], /^Slice \(node "\w+"\) would produce shape \[20,0,5\]$/),
]);

describe('ONNX backend node tests of the registry ops', () => {
  const cases = registryNodeTests(KERNELS);

  it('selects the node tests of every registry op with float32 data', () => {
    // New cases appear here when a registry op is added: each must then pass or join KNOWN_FAILURES.
    expect(cases.length).toBe(279);
    for (const name of KNOWN_FAILURES.keys()) expect(cases).toContain(name);
  });

  it('passes every case but the known failures, which fail for their stated reasons', async () => {
    const r = await runCli(['test', ...cases.map((c) => join(ONNX_NODE_TEST_DIR, c))]);
    const lines = r.stdout.trim().split('\n');
    const verdicts = new Map(lines.slice(0, -1).map((l) => {
      const m = /^(PASS|FAIL) (\S+) (.*)$/.exec(l);
      expect(m, l).not.toBeNull();
      return [m![2], { pass: m![1] === 'PASS', detail: m![3] }];
    }));
    expect([...verdicts.keys()]).toEqual(cases);
    for (const [name, v] of verdicts) {
      const reason = KNOWN_FAILURES.get(name);
      if (reason) expect(v, `${name} was expected to FAIL matching ${reason}`).toEqual({ pass: false, detail: expect.stringMatching(reason) });
      else expect(v, `${name} should pass`).toEqual({ pass: true, detail: expect.stringMatching(/^max_abs=/) });
    }
    expect(lines.at(-1)).toBe(`${cases.length - KNOWN_FAILURES.size} passed, ${KNOWN_FAILURES.size} failed`);
    expect(r.code).toBe(KNOWN_FAILURES.size ? 1 : 0);
  });
});
