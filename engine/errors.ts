/**
 * @module Typed engine errors. Each carries a stable `code` so callers (the CLI, the Durable Object) can map
 * them to exit codes or HTTP statuses without parsing messages.
 */

/** Base class: every error the engine raises on purpose. */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The ONNX bytes could not be decoded or the graph is malformed (truncated file, dangling input...). */
export class ModelLoadError extends EngineError {
  constructor(message: string) {
    super('model_invalid', message);
  }
}

export interface UnsupportedNode {
  opType: string;
  domain: string;
  node: string;
}

/** The graph uses ops with no kernel. Lists every one (op and node) so the user sees the whole gap at once. */
export class UnsupportedOpError extends EngineError {
  constructor(readonly nodes: UnsupportedNode[]) {
    const ops = [...new Set(nodes.map((n) => (n.domain ? `${n.domain}.${n.opType}` : n.opType)))];
    const list = nodes.map((n) => `${n.opType} (node "${n.node}")`).join(', ');
    super('unsupported_op', `Unsupported ONNX op${ops.length > 1 ? 's' : ''} ${ops.join(', ')}: ${list}. Register a kernel in engine/ops/registry.ts.`);
  }
}

/** An op is supported but not with this attribute value or input arrangement. */
export class UnsupportedVariantError extends EngineError {
  constructor(
    readonly opType: string,
    readonly node: string,
    readonly detail: string,
  ) {
    super('unsupported_variant', `${opType} (node "${node}"): ${detail}`);
  }
}

/** Shapes do not fit: wrong feed shape, incompatible broadcast, bad attribute for the input rank. */
export class InvalidShapeError extends EngineError {
  constructor(message: string) {
    super('invalid_shape', message);
  }
}

/** A feed is missing, unknown or of the wrong type or length. */
export class InvalidInputError extends EngineError {
  constructor(message: string) {
    super('invalid_input', message);
  }
}

/** A dispatch or buffer would exceed a device limit even after splitting. */
export class LimitExceededError extends EngineError {
  constructor(
    readonly what: string,
    readonly value: number,
    readonly limit: number,
  ) {
    super('limit_exceeded', `${what} is ${value}, over the device limit of ${limit}`);
  }
}

/** A GPU step failed (shader compile, pipeline creation, device lost). `stage` names the step. */
export class GpuError extends EngineError {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super('gpu_error', `${stage}: ${message}`);
  }
}
