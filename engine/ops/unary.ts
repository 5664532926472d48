/** @module Relu, LeakyRelu, Clip, Sigmoid as a standalone kernel (shaders/elementwise/unary.wgsl). */
import unaryWgsl from '../../shaders/elementwise/unary.wgsl';
import { defineParams } from '../../shaders/params.ts';
import { activationOf } from '../activation.ts';
import { UnsupportedVariantError } from '../errors.ts';
import type { Activation, KernelContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, labelFor, shaderModule, workgroupsFor, WORKGROUP_SIZE } from './common.ts';

const UNARY_PARAMS = defineParams({ size: 'u32' });

function activationFor(ctx: KernelContext): Activation {
  const activation = activationOf(ctx.node, ctx.opset, (i) => ctx.constants[i]);
  if (activation) return activation;
  throw new UnsupportedVariantError(ctx.node.opType, ctx.node.name, ctx.node.opType === 'Clip' ? 'min and max must be constants' : 'not a unary activation');
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
