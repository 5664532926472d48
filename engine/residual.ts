/**
 * @module Residual fusion at plan time: Add(op(x), skip) [+ activation] runs inside op's epilogue when op takes
 * a residual input (OpDefinition.residualInputIndex, Conv). ResNet-50 saves 16 dispatches and 16 round trips
 * of a full activation through memory. It happens here, not in engine/optimize.ts, because only a plan knows
 * the shapes: the fused kernel adds element for element, so both Add operands must have the output's shape
 * (a broadcasting Add stays a separate node).
 * The sum keeps the unfused order, activation((acc + bias) + skip), so results are bit-identical.
 */
import type { PlanStep } from './plan.ts';

const sameShape = (a: readonly number[] | undefined, b: readonly number[]) => !!a && a.length === b.length && a.every((d, k) => d === b[k]);

/**
 * Returns `steps` with every fusable Add folded into its producer. `consumers` counts the readers of each value
 * (graph outputs included); `isConstant` tells constants, which are never taken as the residual.
 */
export function fuseResidualAdds(steps: readonly PlanStep[], consumers: ReadonlyMap<string, number>, isConstant: (v: string) => boolean): PlanStep[] {
  const out = [...steps];
  const indexOf = (v: string) => out.findIndex((s) => s.node.outputs.includes(v));
  for (let a = 0; a < out.length; a++) {
    const add = out[a];
    if (add.node.opType !== 'Add' || add.node.domain || add.elided || add.node.inputs.length !== 2) continue;
    const shape = add.outputShapes[0];
    for (let k = 0; k < 2; k++) {
      const [v, skip] = [add.node.inputs[k], add.node.inputs[1 - k]];
      if (!v || !skip || v === skip || isConstant(skip) || consumers.get(v) !== 1) continue;
      if (!sameShape(add.inputShapes[k], shape) || !sameShape(add.inputShapes[1 - k], shape)) continue;
      const p = indexOf(v);
      const producer = out[p];
      const at = producer?.def.residualInputIndex;
      if (!producer || at === undefined || producer.elided || producer.node.activation || producer.node.residualInput !== undefined) continue;
      if (producer.node.outputs.length !== 1 || producer.node.inputs.length > at) continue;
      const pad = at - producer.node.inputs.length;
      const fused: PlanStep = {
        ...producer,
        node: {
          ...producer.node,
          inputs: [...producer.node.inputs, ...Array<string>(pad).fill(''), skip],
          outputs: [...add.node.outputs],
          activation: add.node.activation,
          residualInput: at,
        },
        inputShapes: [...producer.inputShapes, ...Array<undefined>(pad).fill(undefined), add.inputShapes[1 - k]],
        constants: [...producer.constants, ...Array<undefined>(pad + 1).fill(undefined)],
        outputShapes: add.outputShapes,
      };
      // Run where both the op's inputs and the skip exist: the producer's slot if the skip is written before it,
      // else the Add's (the op's output had no other reader, so delaying it is safe).
      const skipStep = indexOf(skip);
      if (skipStep < p) {
        out[p] = fused;
        out.splice(a, 1);
      } else {
        out[a] = fused;
        out.splice(p, 1);
      }
      a--;
      break;
    }
  }
  return out;
}
