/**
 * @module HardSwish (ONNX opset 14): y = x * max(0, min(1, x / 6 + 0.5)), kernel shaders/elementwise/hardswish.wgsl.
 * The worked example of docs/custom-shaders.md: the smallest complete op, shape inference plus one dispatch.
 */
import hardswishWgsl from '../../shaders/elementwise/hardswish.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import type { OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, ELEMENTWISE, labelFor } from './common.ts';

/**
 * The kernel's facts, once: its file, and from ELEMENTWISE its workgroup size, its uniform block
 * (`struct Params { size: u32 }`) and its bindings (`x` read, `y` written, both `array<f32>`); the engine
 * generates the WGSL declarations from them.
 */
const HARDSWISH = defineKernel({ ...ELEMENTWISE, wgsl: hardswishWgsl });

export const hardSwish: OpDefinition = {
  // The shader ends in activate(), so a Relu/Clip/... right after HardSwish runs inside this dispatch.
  fusesActivation: true,
  // Elementwise: the output has the input's shape.
  inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
  createDispatches(ctx) {
    const size = sizeOf(ctx.inputShapes[0]!);
    return [HARDSWISH.dispatch({
      label: labelFor('hardswish', ctx.node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: { size },
      // ACTIVATION 0 when nothing was fused: activate() is then the identity.
      constants: activationConstants(ctx.node.activation),
      invocations: size,
    })];
  },
};
