/** @module Conv: shape inference and kernel choice (shaders/conv/). */
import conv2dWgsl from '../../shaders/conv/conv2d.wgsl';
import conv2dTiledWgsl from '../../shaders/conv/conv2d_tiled.wgsl';
import conv2d1x1SharedWgsl from '../../shaders/conv/conv2d_1x1_shared.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { KernelContext, OpContext, OpDefinition, StorageSource } from '../kernel.ts';
import { activationConstants, labelFor, nodeWindow, WORKGROUP_SIZE, type NodeWindow } from './common.ts';

/** What the three conv kernels share: their family and one uniform block. */
const CONV_KERNEL = {
  family: 'conv',
  params: defineParams({
    batch: 'u32', in_c: 'u32', in_h: 'u32', in_w: 'u32',
    out_c: 'u32', out_h: 'u32', out_w: 'u32', groups: 'u32',
    in_c_per_group: 'u32', k_h: 'u32', k_w: 'u32',
    stride_h: 'u32', stride_w: 'u32', dilation_h: 'u32', dilation_w: 'u32',
    pad_top: 'u32', pad_left: 'u32',
  }),
};

/**
 * Tile of the register-tiled kernel: output pixels x vec4s of output channels per invocation. Measured on
 * llvmpipe with SqueezeNet shapes (bench/RESULTS.md): 8 pixels x 8 channels beat 8x4, 4x8 and 4x4 for 1x1 and
 * 3x3 alike; on GPUs the same tile keeps 16 accumulators per thread, well within register budgets. The kernel
 * gets them as consts: WGSL sizes its register arrays only with constant expressions.
 */
const CONV_TILE = { PIXELS_PER_INVOCATION: 8, CHANNEL_VECS: 2 };
/** Output channels padded to whole tiles of this many (the weight and bias layouts of the tiled kernel). */
const TILE_CHANNELS = 4 * CONV_TILE.CHANNEL_VECS;

const CONV2D_TILED = defineKernel({
  ...CONV_KERNEL,
  wgsl: conv2dTiledWgsl,
  workgroupSize: WORKGROUP_SIZE,
  bindings: { input: 'f32', weights: 'vec4<f32>', bias: 'vec4<f32>', output: 'f32' },
  consts: CONV_TILE,
});

/** Grouped and depthwise: up to MAX_OUT_PER_INVOCATION output channels of one pixel per invocation. */
const CONV2D = defineKernel({
  ...CONV_KERNEL,
  wgsl: conv2dWgsl,
  workgroupSize: WORKGROUP_SIZE,
  bindings: { input: 'f32', weights: 'f32', bias: 'f32', output: 'f32' },
  consts: { MAX_OUT_PER_INVOCATION: 4 },
});

/**
 * Pointwise conv as a GEMM through workgroup memory (hardware GPUs): a workgroup owns TILE x TILE (output
 * channels x pixels) and steps through K_STEP input channels at a time; each of its threads computes 4 x 4, so
 * (TILE / 4)^2 threads.
 */
const SHARED = { TILE: 32, K_STEP: 8 };
const CONV2D_1X1_SHARED = defineKernel({
  ...CONV_KERNEL,
  wgsl: conv2d1x1SharedWgsl,
  workgroupSize: (SHARED.TILE / 4) ** 2,
  bindings: { input: 'f32', weights: 'f32', bias: 'f32', output: 'f32' },
  consts: SHARED,
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

/** Largest power of two up to MAX_OUT_PER_INVOCATION dividing a group's output channels: a block stays in its group. */
function outputsPerInvocation(coutPerGroup: number): number {
  let per = CONV2D.consts.MAX_OUT_PER_INVOCATION;
  while (coutPerGroup % per !== 0) per /= 2;
  return per;
}

/** [Cout][Cin][KH][KW] -> [Cin][KH][KW][CoutP], zero-padded to a multiple of `multiple` output channels. */
function weightsChannelsLast(w: Float32Array, cout: number, cin: number, taps: number, multiple: number): Float32Array {
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
    const params = {
      batch: n, in_c: c, in_h: h, in_w: w, out_c: cout, out_h: oh, out_w: ow, groups: g.groups,
      in_c_per_group: cinPerGroup, k_h: kh, k_w: kw,
      stride_h: g.strides[0], stride_w: g.strides[1], dilation_h: g.dilations[0], dilation_w: g.dilations[1],
      pad_top: g.pads[0], pad_left: g.pads[1],
    };
    const activation = activationConstants(node.activation);
    const weights = ctx.constants[1]!.floats!;
    // Bias padded to whole tiles (zeros when the node has none): derived once per device like the weights.
    const bias = (multiple: number): StorageSource => ({ derived: `bias/${multiple}/${cout}`, from: [2], compute: () => padTo(ctx.constants[2]?.floats ?? new Float32Array(cout), multiple) });
    const channelsLast = (multiple: number): StorageSource => ({ derived: `channels_last/${multiple}`, from: [1], compute: () => weightsChannelsLast(weights, cout, cinPerGroup, kh * kw, multiple) });
    if (g.groups === 1) {
      const pointwise = kh === 1 && kw === 1 && g.strides.every((s) => s === 1) && g.pads.every((p) => p === 0);
      if (pointwise && !ctx.device.software) {
        const { TILE } = CONV2D_1X1_SHARED.consts;
        return [CONV2D_1X1_SHARED.dispatch({
          label: labelFor('conv2d_1x1_shared', node),
          bindings: { input: { input: 0 }, weights: channelsLast(1), bias: bias(1), output: { output: 0 } },
          params,
          constants: activation,
          workgroups: n * Math.ceil(cout / TILE) * Math.ceil((oh * ow) / TILE),
        })];
      }
      return [CONV2D_TILED.dispatch({
        label: labelFor(pointwise ? 'conv2d_1x1' : 'conv2d_tiled', node),
        bindings: { input: { input: 0 }, weights: channelsLast(TILE_CHANNELS), bias: bias(TILE_CHANNELS), output: { output: 0 } },
        params,
        constants: { POINTWISE: pointwise ? 1 : 0, ...activation },
        invocations: n * Math.ceil(cout / TILE_CHANNELS) * Math.ceil((oh * ow) / CONV_TILE.PIXELS_PER_INVOCATION),
      })];
    }
    // Grouped and depthwise convolutions: a block of output channels per invocation, never crossing a group.
    const per = outputsPerInvocation(cout / g.groups);
    return [CONV2D.dispatch({
      label: labelFor('conv2d', node),
      bindings: { input: { input: 0 }, weights: { input: 1 }, bias: bias(1), output: { output: 0 } },
      params,
      constants: { OUT_PER_INVOCATION: per, ...activation },
      invocations: n * (cout / per) * oh * ow,
    })];
  },
};
