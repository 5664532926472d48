/** @module Relu, LeakyRelu, Clip, Sigmoid as a standalone kernel (shaders/elementwise/unary.wgsl). */
import unaryWgsl from '../../shaders/elementwise/unary.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { activationOf } from '../activation.ts';
import { UnsupportedVariantError } from '../errors.ts';
import type { Activation, KernelContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, ELEMENTWISE, labelFor } from './common.ts';

const UNARY = defineKernel({ ...ELEMENTWISE, wgsl: unaryWgsl });

function activationFor(ctx: KernelContext): Activation {
  const activation = activationOf(ctx.node, ctx.opset, (i) => ctx.constants[i]);
  if (activation) return activation;
  throw new UnsupportedVariantError(ctx.node.opType, ctx.node.name, ctx.node.opType === 'Clip' ? 'min and max must be constants' : 'not a unary activation');
}

export const unary: OpDefinition = {
  inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
  createDispatches(ctx) {
    const size = sizeOf(ctx.inputShapes[0]!);
    return [UNARY.dispatch({
      label: labelFor(ctx.node.opType.toLowerCase(), ctx.node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: { size },
      constants: activationConstants(activationFor(ctx)),
      invocations: size,
    })];
  },
};
