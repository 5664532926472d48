/** @module Conv: shape inference and kernel choice (shaders/conv/). */
import conv2dWgsl from '../../shaders/conv/conv2d.wgsl';
import conv2dDepthwiseWgsl from '../../shaders/conv/conv2d_depthwise.wgsl';
import conv2dTiledWgsl from '../../shaders/conv/conv2d_tiled.wgsl';
import conv2d1x1SharedWgsl from '../../shaders/conv/conv2d_1x1_shared.wgsl';
import weightsLayoutWgsl from '../../shaders/conv/conv_weights_layout.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, LimitExceededError, UnsupportedVariantError } from '../errors.ts';
import type { Dispatch, KernelContext, OpContext, OpDefinition, StorageSource } from '../kernel.ts';
import { activationConstants, labelFor, liftTo2d, nodeWindow, WORKGROUP_SIZE, type NodeWindow } from './common.ts';

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
  bindings: { input: 'f32', weights: 'vec4<f32>', residual: 'f32', output: 'f32' },
  consts: CONV_TILE,
});

/** The kernels that read weights in ONNX order (then the biases) as plain f32. */
const ONNX_LAYOUT_KERNEL = {
  ...CONV_KERNEL,
  workgroupSize: WORKGROUP_SIZE,
  bindings: { input: 'f32', weights: 'f32', residual: 'f32', output: 'f32' },
} as const;

/** Grouped (not depthwise): up to MAX_OUT_PER_INVOCATION output channels of one pixel per invocation. */
const CONV2D = defineKernel({ ...ONNX_LAYOUT_KERNEL, wgsl: conv2dWgsl, consts: { MAX_OUT_PER_INVOCATION: 4 } });

/**
 * Depthwise (one filter per channel): PIXELS_PER_INVOCATION outputs along a row per invocation share each weight
 * load and overlap their input windows. The grouped kernel's one pixel per invocation (its channel blocks are 1
 * wide here) re-read every input 9 times for a 3x3 and dominated MobileNetV2 on llvmpipe.
 */
const CONV2D_DEPTHWISE = defineKernel({ ...ONNX_LAYOUT_KERNEL, wgsl: conv2dDepthwiseWgsl, consts: { PIXELS_PER_INVOCATION: 4 } });

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
  bindings: { input: 'f32', weights: 'f32', residual: 'f32', output: 'f32' },
  consts: SHARED,
});

/** Re-lays out a W (and B) computed at run time into a scratch buffer, as the host does for constant weights. */
const WEIGHTS_LAYOUT = defineKernel({
  wgsl: weightsLayoutWgsl,
  family: 'conv',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ cout: 'u32', cin: 'u32', taps: 'u32', cout_padded: 'u32' }),
  bindings: { w: 'f32', b: 'f32', packed: 'f32' },
});

interface ConvGeometry extends NodeWindow {
  groups: number;
}

/** The window of a 1-D or 2-D conv as 2-D: a 1-D conv is one with height 1. */
function convGeometry(ctx: OpContext): ConvGeometry {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const w = ctx.inputShapes[1]!;
  if (x.length !== 3 && x.length !== 4) throw new UnsupportedVariantError('Conv', node.name, `input rank ${x.length}; 1-D and 2-D convolution (NCW, NCHW) are supported`);
  if (w.length !== x.length) throw new InvalidShapeError(`Conv (node "${node.name}"): weight shape [${w}] is not [Cout, Cin/group, ...kernel] of rank ${x.length}`);
  const groups = attr(node, 'group', 1);
  if (x[1] !== w[1] * groups) throw new InvalidShapeError(`Conv (node "${node.name}"): input has ${x[1]} channels, weights expect ${w[1]} x ${groups} groups`);
  if (w[0] % groups !== 0) throw new InvalidShapeError(`Conv (node "${node.name}"): ${w[0]} output channels do not split into ${groups} groups`);
  const window = nodeWindow(node, x.slice(2), attr(node, 'kernel_shape', w.slice(2)), false);
  return { ...(x.length === 3 ? liftTo2d(window) : window), groups };
}

/** A rank-3 (NCW) shape as rank 4 with height 1. */
const as2d = (s: readonly number[]): number[] => (s.length === 3 ? [s[0], s[1], 1, s[2]] : [...s]);

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

/** `weights` then the biases (zeros when the node has none) padded to `multiple`: the kernels' one weights binding. */
function withBias(weights: Float32Array, bias: Float32Array | undefined, cout: number, multiple: number): Float32Array {
  const out = new Float32Array(weights.length + Math.ceil(cout / multiple) * multiple);
  out.set(weights);
  if (bias) out.set(bias, weights.length);
  return out;
}

/** One dispatch's share of an output over the binding limit: batch item `n`, output channels c0..c1. */
interface OutputBlock {
  n: number;
  c0: number;
  c1: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Undefined when the output fits one binding. Else one block per batch item and run of output channels, each a
 * contiguous range that fits a binding and starts at an aligned offset (a 1x1 conv to 1000 channels at 224x224
 * writes 200 MB; llvmpipe binds 128 MiB). Channels per block are whole weight tiles (`multiple`) and keep
 * offsets multiples of minStorageBufferOffsetAlignment; where that cannot be, LimitExceededError names the tensor.
 */
function outputBlocks(ctx: KernelContext, n: number, cout: number, plane: number, inItemBytes: number, multiple: number): OutputBlock[] | undefined {
  const { maxStorageBufferBindingSize: limit, minStorageBufferOffsetAlignment: align } = ctx.device.limits;
  if (n * cout * plane <= limit) return undefined;
  const step = multiple * (align / gcd(align, plane * multiple));
  const per = Math.floor(limit / plane / step) * step;
  const itemsAligned = n === 1 || ((cout * plane) % align === 0 && inItemBytes % align === 0);
  if (per === 0 || !itemsAligned) {
    const why = per === 0 ? 'one aligned block of output channels' : `batch items at ${align}-byte aligned offsets`;
    throw new LimitExceededError(`Conv (node "${ctx.node.name}") output "${ctx.node.outputs[0]}", not splittable into ${why}: its binding size (bytes)`, n * cout * plane, limit);
  }
  const blocks: OutputBlock[] = [];
  for (let b = 0; b < n; b++) for (let c0 = 0; c0 < cout; c0 += per) blocks.push({ n: b, c0, c1: Math.min(cout, c0 + per) });
  return blocks;
}

export const conv: OpDefinition = {
  fusesActivation: true,
  residualInputIndex: 3,
  inferShapes(ctx) {
    const g = convGeometry(ctx);
    const output = ctx.inputShapes[0]!.length === 3 ? g.output.slice(1) : g.output;
    return [[ctx.inputShapes[0]![0], ctx.inputShapes[1]![0], ...output]];
  },
  createDispatches(ctx: KernelContext) {
    const relayout: Dispatch[] = [];
    const main = convDispatches(ctx, relayout);
    return [...relayout, ...main];
  },
};

/**
 * The conv's dispatches: one, or one per block of an output over the binding limit (outputBlocks). A re-layout of
 * its weights, when they are computed at run time, goes to `relayout`.
 */
function convDispatches(ctx: KernelContext, relayout: Dispatch[]): Dispatch[] {
  const { node } = ctx;
  const g = convGeometry(ctx);
  const [n, c, h, w] = as2d(ctx.inputShapes[0]!);
  const [cout, cinPerGroup, kh, kw] = as2d(ctx.inputShapes[1]!);
  const [, , oh, ow] = as2d(ctx.outputShapes[0]);
  const params = {
    batch: n, in_c: c, in_h: h, in_w: w, out_c: cout, out_h: oh, out_w: ow, groups: g.groups,
    in_c_per_group: cinPerGroup, k_h: kh, k_w: kw,
    stride_h: g.strides[0], stride_w: g.strides[1], dilation_h: g.dilations[0], dilation_w: g.dilations[1],
    pad_top: g.pads[0], pad_left: g.pads[1],
  };
  const weights = ctx.constants[1]?.floats;
  const bias = ctx.constants[2]?.floats;
  const atRunTime = !weights || (!!node.inputs[2] && !bias);
  // Weights and bias in one binding, derived once per device; the freed slot takes the fused residual Add's
  // other operand (engine/residual.ts), or the input again, unread, when there is none.
  const residual = node.residualInput;
  const epilogue = { ...activationConstants(node.activation), RESIDUAL: residual === undefined ? 0 : 1 };
  // Weights computed at run time are data: a dispatch packs them into a scratch buffer before every run.
  const packedAtRunTime = (channelsLast: boolean, multiple: number): StorageSource => {
    const coutPadded = Math.ceil(cout / multiple) * multiple;
    const bytes = 4 * (cinPerGroup * kh * kw + 1) * coutPadded;
    relayout.push(WEIGHTS_LAYOUT.dispatch({
      label: labelFor('conv_weights_layout', node),
      bindings: { w: { input: 1 }, b: { input: node.inputs[2] ? 2 : 1 }, packed: { scratch: 'weights', bytes } },
      params: { cout, cin: cinPerGroup, taps: kh * kw, cout_padded: coutPadded },
      constants: { CHANNELS_LAST: channelsLast ? 1 : 0, HAS_BIAS: node.inputs[2] ? 1 : 0 },
      invocations: bytes / 4,
    }));
    return { scratch: 'weights', bytes };
  };
  if (g.groups === 1) {
    const pointwise = kh === 1 && kw === 1 && g.strides.every((s) => s === 1) && g.pads.every((p) => p === 0);
    const shared = pointwise && !ctx.device.software;
    const multiple = shared ? 1 : TILE_CHANNELS;
    const perOut = cinPerGroup * kh * kw;
    const plane = oh * ow * 4;
    const inItem = c * h * w * 4;
    const blocks = outputBlocks(ctx, n, cout, plane, inItem, multiple);
    if (blocks && atRunTime) {
      throw new LimitExceededError(`Conv (node "${node.name}") output "${node.outputs[0]}" with weights computed at run time: its binding size (bytes)`, n * cout * plane, ctx.device.limits.maxStorageBufferBindingSize);
    }
    const packed = atRunTime ? packedAtRunTime(true, multiple) : undefined;
    // Output channels c0..c1 of batch items n0..n0 + batch: the whole conv, or one block of an output over the limit.
    const dispatch = (n0: number, batch: number, c0: number, c1: number) => {
      const whole = c0 === 0 && c1 === cout;
      const weightsBinding: StorageSource = packed ?? {
        derived: `channels_last_bias/${multiple}${whole ? '' : `/${c0}-${c1}`}`,
        from: [1, 2],
        compute: () => withBias(weightsChannelsLast(weights!.subarray(c0 * perOut, c1 * perOut), c1 - c0, cinPerGroup, kh * kw, multiple), bias?.subarray(c0, c1), c1 - c0, multiple),
      };
      const split = !(whole && batch === n);
      const inRange = split ? { range: { byteOffset: n0 * inItem, byteSize: batch * inItem } } : {};
      const outRange = split ? { range: { byteOffset: (n0 * cout + c0) * plane, byteSize: batch * (c1 - c0) * plane } } : {};
      const bindings = {
        input: { input: 0, ...inRange },
        weights: weightsBinding,
        residual: residual === undefined ? { input: 0, ...inRange } : { input: residual, ...outRange },
        output: { output: 0, ...outRange },
      };
      const blockParams = { ...params, batch, out_c: c1 - c0 };
      if (shared) {
        const { TILE } = CONV2D_1X1_SHARED.consts;
        return CONV2D_1X1_SHARED.dispatch({
          label: labelFor('conv2d_1x1_shared', node), bindings, params: blockParams, constants: epilogue,
          workgroups: batch * Math.ceil((c1 - c0) / TILE) * Math.ceil((oh * ow) / TILE),
        });
      }
      return CONV2D_TILED.dispatch({
        label: labelFor(pointwise ? 'conv2d_1x1' : 'conv2d_tiled', node), bindings, params: blockParams,
        constants: { POINTWISE: pointwise ? 1 : 0, ...epilogue },
        invocations: batch * Math.ceil((c1 - c0) / TILE_CHANNELS) * Math.ceil((oh * ow) / CONV_TILE.PIXELS_PER_INVOCATION),
      });
    };
    return blocks ? blocks.map((b) => dispatch(b.n, 1, b.c0, b.c1)) : [dispatch(0, n, 0, cout)];
  }
  const onnxLayout: StorageSource = atRunTime ? packedAtRunTime(false, 1) : { derived: 'with_bias', from: [1, 2], compute: () => withBias(weights!, bias, cout, 1) };
  const bindings = { input: { input: 0 }, weights: onnxLayout, residual: { input: residual ?? 0 }, output: { output: 0 } };
  if (cinPerGroup === 1 && cout === g.groups) {
    const { PIXELS_PER_INVOCATION } = CONV2D_DEPTHWISE.consts;
    return [CONV2D_DEPTHWISE.dispatch({
      label: labelFor('conv2d_depthwise', node),
      bindings,
      params,
      constants: { K_H: kh, K_W: kw, ...epilogue },
      invocations: n * cout * oh * Math.ceil(ow / PIXELS_PER_INVOCATION),
    })];
  }
  // Other grouped convolutions: a block of output channels per invocation, never crossing a group.
  const per = outputsPerInvocation(cout / g.groups);
  return [CONV2D.dispatch({
    label: labelFor('conv2d', node),
    bindings,
    params,
    constants: { OUT_PER_INVOCATION: per, ...epilogue },
    invocations: n * (cout / per) * oh * ow,
  })];
}
