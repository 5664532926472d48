/**
 * @module Running an op definition's CPU hooks on one node: shape inference, and constant folding through
 * `evaluate`. Folding happens twice with the same hooks: at prepare time for nodes whose inputs are all
 * constants (Unsqueeze of a bias, Cast of an initializer), and when a plan fixes the input shapes for nodes that
 * only then become known (Shape of an activation, and everything computed from it).
 */
import type { ConstTensor } from './graph.ts';
import type { OpContext, OpDefinition, PlannedNode } from './kernel.ts';
import { EngineError, ModelLoadError } from './errors.ts';

/** What is known about values at the point of folding. */
export interface KnownValues {
  constant(value: string): ConstTensor | undefined;
  shape(value: string): readonly number[] | undefined;
}

/** An op hook threw something that is not an EngineError: the file's node does not fit the op's definition. */
function misfit(node: PlannedNode, e: unknown): never {
  if (e instanceof EngineError) throw e;
  throw new ModelLoadError(`Node "${node.name}" (${node.opType}) does not fit the op's definition (${(e as Error)?.message ?? String(e)}); the model file is damaged or uses ${node.opType} in a way ONNX does not define`);
}

/**
 * Runs an op's shape inference. It reads only the node (attributes, input arity), shapes and constants from
 * the model file, so anything it throws that is not an EngineError (a wrongly typed attribute from graph.ts
 * `attr`, a missing second input read as a shape) is reported as ModelLoadError naming the node.
 */
export function inferShapesOf(def: OpDefinition, ctx: OpContext): number[][] {
  try {
    return def.inferShapes(ctx);
  } catch (e) {
    return misfit(ctx.node, e);
  }
}

/**
 * The node's outputs computed on the CPU, or undefined when the op has no `evaluate` or an input it needs is
 * not known yet (a value for most ops; only the shape for `foldsFromShapes` ones).
 */
export function tryFold(def: OpDefinition, node: PlannedNode, opset: number, known: KnownValues): ConstTensor[] | undefined {
  if (!def.evaluate) return undefined;
  const constants = node.inputs.map((v) => (v ? known.constant(v) : undefined));
  const inputShapes = node.inputs.map((v, i) => (v ? (constants[i]?.dims ?? known.shape(v)) : undefined));
  const ready = node.inputs.every((v, i) => !v || constants[i] || (def.foldsFromShapes && inputShapes[i]));
  if (!ready) return undefined;
  const ctx: OpContext = { node, opset, inputShapes, constants };
  const outputShapes = inferShapesOf(def, ctx);
  try {
    return def.evaluate({ ...ctx, outputShapes });
  } catch (e) {
    return misfit(node, e);
  }
}
