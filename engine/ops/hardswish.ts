/**
 * @module HardSwish (ONNX opset 14): y = x * max(0, min(1, x / 6 + 0.5)), kernel shaders/elementwise/hardswish.wgsl.
 * The worked example of docs/custom-shaders.md: the smallest complete op, shape inference plus one dispatch.
 */
import hardswishWgsl from '../../shaders/elementwise/hardswish.wgsl';
import { defineParams } from '../../shaders/params.ts';
import type { OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, labelFor, shaderModule, workgroupsFor, WORKGROUP_SIZE } from './common.ts';

/** The uniform block: emits `struct Params { size: u32 }` for the shader and packs the host buffer. */
const HARDSWISH_PARAMS = defineParams({ size: 'u32' });

export const hardSwish: OpDefinition = {
  // The shader ends in activate(), so a Relu/Clip/... right after HardSwish runs inside this dispatch.
  fusesActivation: true,
  // Elementwise: the output has the input's shape.
  inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
  createDispatches(ctx) {
    const size = sizeOf(ctx.inputShapes[0]!);
    return [{
      label: labelFor('hardswish', ctx.node),
      family: 'elementwise',
      code: shaderModule(HARDSWISH_PARAMS, hardswishWgsl),
      source: 'shaders/elementwise/hardswish.wgsl',
      // ACTIVATION 0 when nothing was fused: activate() is then the identity.
      constants: { WORKGROUP_SIZE, ...activationConstants(ctx.node.activation) },
      bindings: [{ input: 0 }, { output: 0 }, { uniform: HARDSWISH_PARAMS.pack({ size }) }],
      workgroups: workgroupsFor(size),
    }];
  },
};
