/** @module Relu, LeakyRelu, Clip, Sigmoid as a standalone kernel (shaders/elementwise/unary.wgsl). */
import unaryWgsl from '../../shaders/elementwise/unary.wgsl';
import { defineParams } from '../../shaders/params.ts';
import { attr } from '../graph.ts';
import { UnsupportedVariantError } from '../errors.ts';
import type { Activation, KernelContext, OpDefinition, PlannedNode } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, labelFor, shaderModule, workgroupsFor, WORKGROUP_SIZE } from './common.ts';

const UNARY_PARAMS = defineParams({ size: 'u32' });
const FLOAT_MAX = 3.4028234663852886e38;

function activationFor(ctx: KernelContext): Activation {
  const node: PlannedNode = ctx.node;
  switch (node.opType) {
    case 'Relu': return { kind: 'relu' };
    case 'Sigmoid': return { kind: 'sigmoid' };
    case 'LeakyRelu': return { kind: 'leakyrelu', alpha: attr(node, 'alpha', 0.01) };
    case 'Clip': {
      if (ctx.opset < 11) return { kind: 'clip', min: attr(node, 'min', -FLOAT_MAX), max: attr(node, 'max', FLOAT_MAX) };
      const bound = (i: number, fallback: number) => (ctx.node.inputs[i] ? ctx.constants[i]?.floats?.[0] : fallback);
      const min = bound(1, -FLOAT_MAX);
      const max = bound(2, FLOAT_MAX);
      if (min === undefined || max === undefined) throw new UnsupportedVariantError('Clip', node.name, 'min and max must be constants');
      return { kind: 'clip', min, max };
    }
    default: throw new UnsupportedVariantError(node.opType, node.name, 'not a unary activation');
  }
}

export const unary: OpDefinition = {
  inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
  createDispatches(ctx) {
    const size = sizeOf(ctx.inputShapes[0]!);
    return [{
      label: labelFor(ctx.node.opType.toLowerCase(), ctx.node),
      family: 'elementwise',
      code: shaderModule(UNARY_PARAMS, unaryWgsl),
      source: 'shaders/elementwise/unary.wgsl',
      constants: { WORKGROUP_SIZE, ...activationConstants(activationFor(ctx)) },
      bindings: [{ input: 0 }, { output: 0 }, { uniform: UNARY_PARAMS.pack({ size }) }],
      workgroups: workgroupsFor(size),
    }];
  },
};
