/** @module Conv: shape inference and kernel choice (shaders/conv/). */
import conv2dWgsl from '../../shaders/conv/conv2d.wgsl';
import conv2dTiledWgsl from '../../shaders/conv/conv2d_tiled.wgsl';
import conv2d1x1SharedWgsl from '../../shaders/conv/conv2d_1x1_shared.wgsl';
import { defineParams } from '../../shaders/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { BindingSource, KernelContext, OpContext, OpDefinition } from '../kernel.ts';
import { activationConstants, labelFor, nodeWindow, shaderModule, workgroupsFor, WORKGROUP_SIZE, type NodeWindow } from './common.ts';

const CONV_PARAMS = defineParams({
  batch: 'u32', in_c: 'u32', in_h: 'u32', in_w: 'u32',
  out_c: 'u32', out_h: 'u32', out_w: 'u32', groups: 'u32',
  in_c_per_group: 'u32', k_h: 'u32', k_w: 'u32',
  stride_h: 'u32', stride_w: 'u32', dilation_h: 'u32', dilation_w: 'u32',
  pad_top: 'u32', pad_left: 'u32',
});

interface ConvGeometry extends NodeWindow {
  groups: number;
}

function convGeometry(ctx: OpContext): ConvGeometry {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const w = ctx.inputShapes[1]!;
  if (x.length !== 4) throw new UnsupportedVariantError('Conv', node.name, `input rank ${x.length}; only 2-D convolution (NCHW) is supported`);
  if (w.length !== 4) throw new InvalidShapeError(`Conv (node "${node.name}"): weight shape [${w}] is not [Cout, Cin/group, kH, kW]`);
  const groups = attr(node, 'group', 1);
  if (x[1] !== w[1] * groups) throw new InvalidShapeError(`Conv (node "${node.name}"): input has ${x[1]} channels, weights expect ${w[1]} x ${groups} groups`);
  if (w[0] % groups !== 0) throw new InvalidShapeError(`Conv (node "${node.name}"): ${w[0]} output channels do not split into ${groups} groups`);
  return { ...nodeWindow(node, x.slice(2), attr(node, 'kernel_shape', w.slice(2)), false), groups };
}

/** Largest of 4, 2, 1 that divides the output channels of one group, so a block stays inside its group. */
function outputsPerInvocation(coutPerGroup: number): number {
  return coutPerGroup % 4 === 0 ? 4 : coutPerGroup % 2 === 0 ? 2 : 1;
}

/** Tile of the tiled kernel (see shaders/conv/conv2d_tiled.wgsl): output pixels x vec4s of output channels. */
export interface ConvTile {
  pixels: number;
  channelVecs: number;
}

/**
 * Measured on llvmpipe with SqueezeNet shapes (bench/RESULTS.md): 8 pixels x 8 channels beat 8x4, 4x8 and 4x4
 * for 1x1 and 3x3 alike; on GPUs the same tile keeps 16 accumulators per thread, well within register budgets.
 */
export const CONV_TILE: ConvTile = { pixels: 8, channelVecs: 2 };

/** Output channels and pixels per workgroup of shaders/conv/conv2d_1x1_shared.wgsl (its TILE). */
const SHARED_TILE = 32;

/** [Cout][Cin][KH][KW] -> [Cin][KH][KW][CoutP], zero-padded to a multiple of `multiple` output channels. */
export function weightsChannelsLast(w: Float32Array, cout: number, cin: number, taps: number, multiple = 4): Float32Array {
  const cout4 = Math.ceil(cout / multiple) * multiple;
  const out = new Float32Array(cin * taps * cout4);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      for (let t = 0; t < taps; t++) out[(i * taps + t) * cout4 + o] = w[(o * cin + i) * taps + t];
    }
  }
  return out;
}

function padTo(v: Float32Array, multiple: number): Float32Array {
  const out = new Float32Array(Math.ceil(v.length / multiple) * multiple);
  out.set(v);
  return out;
}

export const conv: OpDefinition = {
  constantInputs: [1, 2],
  fusesActivation: true,
  inferShapes(ctx) {
    const g = convGeometry(ctx);
    return [[ctx.inputShapes[0]![0], ctx.inputShapes[1]![0], ...g.output]];
  },
  createDispatches(ctx: KernelContext) {
    const { node } = ctx;
    const g = convGeometry(ctx);
    const [n, c, h, w] = ctx.inputShapes[0]!;
    const [cout, cinPerGroup, kh, kw] = ctx.inputShapes[1]!;
    const [, , oh, ow] = ctx.outputShapes[0];
    const weights = ctx.constants[1]!.floats!;
    // Bias padded to whole tiles (zeros when the node has none): derived once per device like the weights.
    const bias = (multiple: number): BindingSource => ({ derived: `bias/${multiple}/${cout}`, from: [2], compute: () => padTo(ctx.constants[2]?.floats ?? new Float32Array(cout), multiple) });
    const params = CONV_PARAMS.pack({
      batch: n, in_c: c, in_h: h, in_w: w, out_c: cout, out_h: oh, out_w: ow, groups: g.groups,
      in_c_per_group: cinPerGroup, k_h: kh, k_w: kw,
      stride_h: g.strides[0], stride_w: g.strides[1], dilation_h: g.dilations[0], dilation_w: g.dilations[1],
      pad_top: g.pads[0], pad_left: g.pads[1],
    });
    const activation = activationConstants(node.activation);
    if (g.groups === 1) {
      const pointwise = kh === 1 && kw === 1 && g.strides.every((s) => s === 1) && g.pads.every((p) => p === 0);
      if (pointwise && !ctx.device.software) {
        // Hardware GPUs: a GEMM through workgroup memory (32x32 tiles of channels x pixels, 64 threads).
        return [{
          label: labelFor('conv2d_1x1_shared', node),
          family: 'conv',
          code: shaderModule(CONV_PARAMS, conv2d1x1SharedWgsl),
          source: 'shaders/conv/conv2d_1x1_shared.wgsl',
          constants: { ...activation },
          bindings: [
            { input: 0 },
            { derived: 'channels_last/4', from: [1], compute: () => weightsChannelsLast(weights, cout, cinPerGroup, 1) },
            bias(1),
            { output: 0 },
            { uniform: params },
          ],
          workgroups: n * Math.ceil(cout / SHARED_TILE) * Math.ceil((oh * ow) / SHARED_TILE),
        }];
      }
      const tile = CONV_TILE;
      const multiple = 4 * tile.channelVecs;
      return [{
        label: labelFor(pointwise ? 'conv2d_1x1' : 'conv2d_tiled', node),
        family: 'conv',
        code: shaderModule(CONV_PARAMS, conv2dTiledWgsl),
        source: 'shaders/conv/conv2d_tiled.wgsl',
        constants: { WORKGROUP_SIZE, PIXELS_PER_INVOCATION: tile.pixels, CHANNEL_VECS: tile.channelVecs, POINTWISE: pointwise ? 1 : 0, ...activation },
        bindings: [
          { input: 0 },
          { derived: `channels_last/${multiple}`, from: [1], compute: () => weightsChannelsLast(weights, cout, cinPerGroup, kh * kw, multiple) },
          bias(multiple),
          { output: 0 },
          { uniform: params },
        ],
        workgroups: workgroupsFor(n * Math.ceil(cout / multiple) * Math.ceil((oh * ow) / tile.pixels)),
      }];
    }
    // Grouped and depthwise convolutions: a block of output channels per invocation, never crossing a group.
    const per = outputsPerInvocation(cout / g.groups);
    return [{
      label: labelFor('conv2d', node),
      family: 'conv',
      code: shaderModule(CONV_PARAMS, conv2dWgsl),
      source: 'shaders/conv/conv2d.wgsl',
      constants: { WORKGROUP_SIZE, OUT_PER_INVOCATION: per, ...activation },
      bindings: [{ input: 0 }, { input: 1 }, bias(1), { output: 0 }, { uniform: params }],
      workgroups: workgroupsFor(n * (cout / per) * oh * ow),
    }];
  },
};
