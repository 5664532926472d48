/**
 * @module One-input elementwise ops as one kernel (shaders/elementwise/unary.wgsl): the activations Relu,
 * LeakyRelu, Clip, Sigmoid (shared with fusion through engine/activation.ts) and the maths ops of MATH. Every
 * opset from 1 has the same meaning for these; opsets 1-5's `consumed_inputs` attribute is a memory hint, ignored.
 */
import unaryWgsl from '../../shaders/elementwise/unary.wgsl';
import clipWgsl from '../../shaders/elementwise/clip.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { activationOf, FLOAT_MAX } from '../activation.ts';
import { UnsupportedVariantError } from '../errors.ts';
import { attr, constTensor, valuesOf, type GraphNode } from '../graph.ts';
import type { Activation, EvaluateContext, KernelContext, OpDefinition, StorageSource } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, ELEMENTWISE, labelFor } from './common.ts';

const UNARY = defineKernel({ ...ELEMENTWISE, wgsl: unaryWgsl });
const CLIP = defineKernel({ ...ELEMENTWISE, wgsl: clipWgsl, bindings: { x: 'f32', lo: 'f32', hi: 'f32', y: 'f32' } });

/** Selu's defaults, as ONNX writes them (float32 values). */
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

/** Abramowitz & Stegun 7.1.26, the same approximation as the kernel's. */
function erf(v: number): number {
  const a = Math.abs(v);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(v) * (1 - poly * Math.exp(-a * a));
}

interface MathOp {
  /** UNARY_OP in the kernel. */
  code: number;
  /** OP_ALPHA, OP_BETA from the node's attributes. */
  params?: (node: GraphNode) => [number, number];
  /** The CPU form, for folding constants. */
  cpu: (v: number, alpha: number, beta: number) => number;
}

const MATH: Readonly<Record<string, MathOp>> = {
  Abs: { code: 1, cpu: Math.abs },
  Neg: { code: 2, cpu: (v) => -v },
  Floor: { code: 3, cpu: Math.floor },
  Ceil: { code: 4, cpu: Math.ceil },
  Sqrt: { code: 5, cpu: Math.sqrt },
  Exp: { code: 6, cpu: Math.exp },
  Log: { code: 7, cpu: Math.log },
  Reciprocal: { code: 8, cpu: (v) => 1 / v },
  Tanh: { code: 9, cpu: Math.tanh },
  Erf: { code: 10, cpu: erf },
  Softplus: { code: 11, cpu: (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))) },
  Softsign: { code: 12, cpu: (v) => v / (1 + Math.abs(v)) },
  Elu: { code: 13, params: (n) => [attr(n, 'alpha', 1), 0], cpu: (v, a) => (v >= 0 ? v : a * Math.expm1(v)) },
  Selu: { code: 14, params: (n) => [attr(n, 'alpha', SELU_ALPHA), attr(n, 'gamma', SELU_GAMMA)], cpu: (v, a, g) => g * (v > 0 ? v : a * Math.expm1(v)) },
  HardSigmoid: { code: 15, params: (n) => [attr(n, 'alpha', 0.2), attr(n, 'beta', 0.5)], cpu: (v, a, b) => Math.min(1, Math.max(0, a * v + b)) },
};

/** The activation ops' CPU forms, matching shaders/common/activation.wgsl. */
function activationOnCpu(a: Activation): (v: number) => number {
  switch (a.kind) {
    case 'relu': return (v) => Math.max(v, 0);
    case 'leakyrelu': return (v) => (v >= 0 ? v : v * a.alpha);
    case 'clip': return (v) => Math.min(a.max, Math.max(a.min, v));
    case 'sigmoid': return (v) => 1 / (1 + Math.exp(-v));
  }
}

function activationFor(ctx: EvaluateContext): Activation {
  const activation = activationOf(ctx.node, ctx.opset, (i) => ctx.constants[i]);
  if (activation) return activation;
  throw new UnsupportedVariantError(ctx.node.opType, ctx.node.name, ctx.node.opType === 'Clip' ? 'min and max must be constants' : 'not a unary activation');
}

/** The op as a function of one value: a MATH op with its attributes, or an activation. */
function unaryFunction(ctx: EvaluateContext): (v: number) => number {
  const math = MATH[ctx.node.opType];
  if (!math) return activationOnCpu(activationFor(ctx));
  const [alpha, beta] = math.params?.(ctx.node) ?? [0, 0];
  return (v) => math.cpu(v, alpha, beta);
}

export const unary: OpDefinition = {
  inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
  evaluate(ctx) {
    const x = ctx.constants[0]!;
    return [constTensor(x.dataType, x.dims, Array.from(valuesOf(x), unaryFunction(ctx)))];
  },
  createDispatches(ctx: KernelContext) {
    const { node } = ctx;
    const size = sizeOf(ctx.inputShapes[0]!);
    if (node.opType === 'Clip' && !activationOf(node, ctx.opset, (i) => ctx.constants[i])) {
      // A bound computed at run time is data: read from its buffer; an omitted one is the float32 extreme.
      const bound = (i: number, fallback: number): StorageSource => (node.inputs[i] ? { input: i } : { data: Float32Array.of(fallback) });
      return [CLIP.dispatch({
        label: labelFor('clip', node),
        bindings: { x: { input: 0 }, lo: bound(1, -FLOAT_MAX), hi: bound(2, FLOAT_MAX), y: { output: 0 } },
        params: { size },
        invocations: size,
      })];
    }
    const math = MATH[node.opType];
    const [alpha, beta] = math?.params?.(node) ?? [0, 0];
    return [UNARY.dispatch({
      label: labelFor(node.opType.toLowerCase(), node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: { size },
      constants: {
        UNARY_OP: math?.code ?? 0,
        OP_ALPHA: alpha,
        OP_BETA: beta,
        ...activationConstants(math ? undefined : activationFor(ctx)),
      },
      invocations: size,
    })];
  },
};
