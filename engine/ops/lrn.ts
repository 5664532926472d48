/**
 * @module LRN, local response normalisation across channels (shaders/normalization/lrn.wgsl), as the Caffe
 * exports (GoogLeNet, AlexNet, CaffeNet, ZFNet, R-CNN) use it; unchanged in meaning from opset 1 to 21.
 */
import lrnWgsl from '../../shaders/normalization/lrn.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { InvalidShapeError } from '../errors.ts';
import { attr } from '../graph.ts';
import type { OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { labelFor, WORKGROUP_SIZE } from './common.ts';

const LRN = defineKernel({
  wgsl: lrnWgsl,
  family: 'normalization',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', channels: 'u32', inner: 'u32', before: 'u32', after: 'u32', bias: 'f32', alpha_over_size: 'f32', beta: 'f32' }),
  bindings: { x: 'f32', y: 'f32' },
});

export const lrn: OpDefinition = {
  inferShapes(ctx) {
    const x = ctx.inputShapes[0]!;
    if (x.length < 3) throw new InvalidShapeError(`LRN (node "${ctx.node.name}"): input [${x}] has no spatial dims (LRN needs N x C x D1 ...)`);
    return [[...x]];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const x = ctx.inputShapes[0]!;
    const window = attr(node, 'size', 0);
    if (!(window >= 1)) throw new InvalidShapeError(`LRN (node "${node.name}"): size ${window} must be a positive integer`);
    const total = sizeOf(x);
    return [LRN.dispatch({
      label: labelFor('lrn', node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: {
        size: total, channels: x[1], inner: sizeOf(x.slice(2)),
        before: Math.floor((window - 1) / 2), after: Math.ceil((window - 1) / 2),
        bias: attr(node, 'bias', 1), alpha_over_size: attr(node, 'alpha', 1e-4) / window, beta: attr(node, 'beta', 0.75),
      },
      invocations: total,
    })];
  },
};
