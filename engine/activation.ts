/** @module The activation an activation node (Relu, Sigmoid, LeakyRelu, Clip) computes: for fusion and the unary kernel. */
import type { ConstTensor } from './graph.ts';
import { attr } from './graph.ts';
import type { Activation, PlannedNode } from './kernel.ts';

/** Largest finite float32: Clip's default bounds. */
export const FLOAT_MAX = 3.4028234663852886e38;

/**
 * The node's activation, or undefined when it is not an activation op or (opset-11 Clip) a min/max input is
 * present but not a constant. `constantInput(i)` returns input i's constant tensor, if it has one.
 */
export function activationOf(node: PlannedNode, opset: number, constantInput: (i: number) => ConstTensor | undefined): Activation | undefined {
  switch (node.opType) {
    case 'Relu':
      return { kind: 'relu' };
    case 'Sigmoid':
      return { kind: 'sigmoid' };
    case 'LeakyRelu':
      return { kind: 'leakyrelu', alpha: attr(node, 'alpha', 0.01) };
    case 'Clip': {
      if (opset < 11) return { kind: 'clip', min: attr(node, 'min', -FLOAT_MAX), max: attr(node, 'max', FLOAT_MAX) };
      const bound = (i: number, fallback: number): number | undefined => (node.inputs[i] ? constantInput(i)?.floats?.[0] : fallback);
      const min = bound(1, -FLOAT_MAX);
      const max = bound(2, FLOAT_MAX);
      return min === undefined || max === undefined ? undefined : { kind: 'clip', min, max };
    }
    default:
      return undefined;
  }
}
