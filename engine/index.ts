/** @module Public API of the engine: runs ONNX models on any WebGPU `GPUDevice`. */
export { InferenceSession, type SessionOptions, type SessionStats, type Tensor, type TensorMetadata } from './session.ts';
export * from './errors.ts';
export { inferenceLimits } from './gpu/limits.ts';
export type { OpDefinition, Dispatch, BindingSource, KernelContext, OpContext, Activation } from './kernel.ts';
export { KERNELS } from '../shaders/registry.ts';
export { defineParams } from '../shaders/params.ts';
export { shaderModule, activationConstants, workgroupsFor, WORKGROUP_SIZE } from './ops/common.ts';
