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
  // Operands must be known before the run: a graph input feeding a weight, BN parameter or Clip bound is refused.
  ...failing(['test_basic_conv_with_padding', 'test_basic_conv_without_padding', 'test_conv_with_autopad_same', 'test_conv_with_strides_and_asymmetric_padding', 'test_conv_with_strides_no_padding', 'test_conv_with_strides_padding'],
    /^Conv \(node "\w+"\): input 1 \("W"\) must be known before the run/),
  ...failing(['test_batchnorm_epsilon', 'test_batchnorm_epsilon_training_mode', 'test_batchnorm_example', 'test_batchnorm_example_training_mode'],
    /^BatchNormalization \(node "\w+"\): input 1 \("s"\) must be known before the run/),
  ...failing(['test_clip', 'test_clip_default_max', 'test_clip_default_min', 'test_clip_example', 'test_clip_inbounds', 'test_clip_outbounds', 'test_clip_splitbounds'],
    /^Clip \(node "\w+"\): min and max must be constants$/),
  // Graph inputs must be float32 or uint8: an int64 shape, axes or index tensor fed at run time is refused.
  ...failing(['test_reshape_allowzero_reordered', 'test_reshape_extended_dims', 'test_reshape_negative_dim', 'test_reshape_negative_extended_dims', 'test_reshape_one_dim', 'test_reshape_reduced_dims', 'test_reshape_reordered_all_dims', 'test_reshape_reordered_last_dims', 'test_reshape_zero_and_negative_dim', 'test_reshape_zero_dim'],
    /^graph input \(node "shape"\): element type int64; inputs may be float32 or uint8$/),
  ...failing(['test_squeeze', 'test_squeeze_negative_axes', 'test_unsqueeze_axis_0', 'test_unsqueeze_axis_1', 'test_unsqueeze_axis_2', 'test_unsqueeze_negative_axes', 'test_unsqueeze_three_axes', 'test_unsqueeze_two_axes', 'test_unsqueeze_unsorted_axes'],
    /^graph input \(node "axes"\): element type int64; inputs may be float32 or uint8$/),
  ...failing(['test_gather_0', 'test_gather_1', 'test_gather_2d_indices', 'test_gather_negative_indices'],
    /^graph input \(node "indices"\): element type int64; inputs may be float32 or uint8$/),
  ...failing(['test_constantofshape_float_ones'], /^graph input \(node "x"\): element type int64; inputs may be float32 or uint8$/),
  // CPU-only ops (shape arithmetic) whose inputs are computed at run time.
  ...failing(['test_range_float_type_positive_delta'], /^Range \(node "\w+"\): runs on the CPU only, so its inputs must be known before the run/),
  // Only 2-D (NCHW) windows.
  ...failing(['test_averagepool_1d_default', 'test_maxpool_1d_default'], /^(Average|Max)Pool \(node "\w+"\): input rank 3; only 2-D pooling \(NCHW\) is supported$/),
  ...failing(['test_averagepool_3d_default', 'test_maxpool_3d_default'], /^(Average|Max)Pool \(node "\w+"\): input rank 5; only 2-D pooling \(NCHW\) is supported$/),
  // Opset 1 files are refused whole, although GlobalAveragePool/GlobalMaxPool never changed.
  ...failing(['test_globalaveragepool', 'test_globalaveragepool_precomputed', 'test_globalmaxpool', 'test_globalmaxpool_precomputed'],
    /^The model uses ONNX opset 1; this engine supports opsets 7 to 21/),
]);

describe('ONNX backend node tests of the registry ops', () => {
  const cases = registryNodeTests(KERNELS);

  it('selects the node tests of every registry op with float32 data', () => {
    // New cases appear here when a registry op is added: each must then pass or join KNOWN_FAILURES.
    expect(cases.length).toBe(133);
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
