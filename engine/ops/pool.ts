/** @module MaxPool, AveragePool (shaders/pool/pool.wgsl) and their global forms (shaders/pool/global_pool.wgsl). */
import poolWgsl from '../../shaders/pool/pool.wgsl';
import globalPoolWgsl from '../../shaders/pool/global_pool.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { labelFor, nodeWindow, WORKGROUP_SIZE, type NodeWindow } from './common.ts';

const POOL = defineKernel({
  wgsl: poolWgsl,
  family: 'pool',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({
    planes: 'u32', in_d: 'u32', in_h: 'u32', in_w: 'u32', out_d: 'u32', out_h: 'u32', out_w: 'u32',
    stride_d: 'u32', stride_h: 'u32', stride_w: 'u32', dilation_d: 'u32', dilation_h: 'u32', dilation_w: 'u32',
    pad_front: 'i32', pad_top: 'i32', pad_left: 'i32', pad_back: 'i32', pad_bottom: 'i32', pad_right: 'i32', count_include_pad: 'u32',
  }),
  bindings: { x: 'f32', y: 'f32' },
});

/** `plane_per_workgroup` halves its reduction, so the workgroup size must be a power of two. */
const GLOBAL_POOL = defineKernel({
  wgsl: globalPoolWgsl,
  family: 'pool',
  workgroupSize: 64,
  params: defineParams({ planes: 'u32', plane_size: 'u32' }),
  bindings: { x: 'f32', y: 'f32' },
});

/** Planes this small leave most of a reduction workgroup idle, on any device. */
const SMALL_PLANE = 64;

const MAX_KIND = 0;
const AVERAGE_KIND = 1;

/** The window in the rank of the input's spatial dims (1 to 3). */
function poolGeometry(ctx: OpContext): NodeWindow {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  if (x.length < 3 || x.length > 5) throw new UnsupportedVariantError(node.opType, node.name, `input rank ${x.length}; 1-D to 3-D pooling (NCW, NCHW, NCDHW) is supported`);
  if (node.opType === 'MaxPool' && node.outputs[1]) throw new UnsupportedVariantError(node.opType, node.name, 'the Indices output is not supported');
  const kernel = attr(node, 'kernel_shape', [] as number[]);
  if (kernel.length !== x.length - 2) throw new InvalidShapeError(`${node.opType} (node "${node.name}"): kernel_shape [${kernel}] does not fit input rank ${x.length}`);
  return nodeWindow(node, x.slice(2), kernel, attr(node, 'ceil_mode', 0) === 1);
}

/** Spatial dims, window sizes and begin/end pads padded in front with 1s and 0s to the kernel's three. */
function asThreeD(g: NodeWindow, spatial: readonly number[]) {
  const lead = 3 - spatial.length;
  const fill = (v: number[], with_: number) => [...new Array<number>(lead).fill(with_), ...v];
  const n = spatial.length;
  return {
    input: fill([...spatial], 1), output: fill(g.output, 1), kernel: fill(g.kernel, 1), strides: fill(g.strides, 1), dilations: fill(g.dilations, 1),
    begins: fill(g.pads.slice(0, n), 0), ends: fill(g.pads.slice(n), 0),
  };
}

export const pool: OpDefinition = {
  inferShapes(ctx) {
    const g = poolGeometry(ctx);
    const [n, c] = ctx.inputShapes[0]!;
    return [[n, c, ...g.output]];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const [n, c, ...spatial] = ctx.inputShapes[0]!;
    const g = asThreeD(poolGeometry(ctx), spatial);
    const average = node.opType === 'AveragePool';
    return [POOL.dispatch({
      label: labelFor(average ? 'avgpool' : 'maxpool', node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: {
        planes: n * c, in_d: g.input[0], in_h: g.input[1], in_w: g.input[2], out_d: g.output[0], out_h: g.output[1], out_w: g.output[2],
        stride_d: g.strides[0], stride_h: g.strides[1], stride_w: g.strides[2],
        dilation_d: g.dilations[0], dilation_h: g.dilations[1], dilation_w: g.dilations[2],
        pad_front: g.begins[0], pad_top: g.begins[1], pad_left: g.begins[2], pad_back: g.ends[0], pad_bottom: g.ends[1], pad_right: g.ends[2],
        count_include_pad: average ? attr(node, 'count_include_pad', 0) : 0,
      },
      constants: { POOL_KIND: average ? AVERAGE_KIND : MAX_KIND, KERNEL_D: g.kernel[0], KERNEL_H: g.kernel[1], KERNEL_W: g.kernel[2] },
      invocations: n * c * sizeOf(g.output),
    })];
  },
};

export const globalPool: OpDefinition = {
  inferShapes(ctx) {
    const x = ctx.inputShapes[0]!;
    if (x.length < 3) throw new InvalidShapeError(`${ctx.node.opType} (node "${ctx.node.name}"): input [${x}] has no spatial dims`);
    return [[x[0], x[1], ...x.slice(2).map(() => 1)]];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const x = ctx.inputShapes[0]!;
    const planes = x[0] * x[1];
    const average = node.opType === 'GlobalAveragePool';
    const planeSize = sizeOf(x.slice(2));
    // Measured on llvmpipe (16 pools, ms): 1000x13x13 4.9 per thread vs 55 per workgroup, 64x56x56 5.4 vs 10.4,
    // 3x56x56 a tie; barriers are coroutine switches there. On GPUs a workgroup per plane keeps reads coalesced.
    const perInvocation = ctx.device.software || planeSize <= SMALL_PLANE;
    const shared = {
      label: labelFor(`${average ? 'global_avgpool' : 'global_maxpool'}${perInvocation ? '' : '_wg'}`, node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: { planes, plane_size: planeSize },
      constants: { POOL_KIND: average ? AVERAGE_KIND : MAX_KIND },
    } as const;
    return [perInvocation
      ? GLOBAL_POOL.dispatch({ ...shared, entryPoint: 'plane_per_invocation', invocations: planes })
      : GLOBAL_POOL.dispatch({ ...shared, entryPoint: 'plane_per_workgroup', workgroups: planes })];
  },
};
