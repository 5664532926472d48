/**
 * @module Public API of the engine: runs ONNX models on any WebGPU `GPUDevice`, in three layers:
 * `prepareModel` (once per model, no device), `DeviceModel` (the weights on one device) and `InferenceSession`
 * (a plan of a DeviceModel for one set of input shapes).
 */
export { prepareModel, type PrepareOptions, type PreparedModel, type PreparedOutput } from './prepare.ts';
export { DeviceModel, type DeviceModelOptions, type DeviceModelStats } from './device-model.ts';
export { InferenceSession, MAX_PLANS_PER_SESSION, type Feed, type PlanSessionOptions, type SessionOptions, type SessionStats, type Tensor, type TensorMetadata } from './session.ts';
export * from './errors.ts';
export { inferenceLimits, openDevice } from '../gpu/device.ts';
export { kernelKey } from './kernel.ts';
export type { OpDefinition, Dispatch, DispatchBinding, BindingSource, StorageSource, StorageElement, KernelContext, OpContext, EvaluateContext, Activation } from './kernel.ts';
export type { ConstTensor, DataType } from './graph.ts';
export { KERNELS } from './ops/registry.ts';
export { defineKernel, type KernelDefinition } from './wgsl/kernel.ts';
export { defineParams, MAX_RANK } from './wgsl/params.ts';
export { activationConstants, labelFor, WORKGROUP_SIZE } from './ops/common.ts';
export { withImageInput, type ImageInputSpec } from './image-input.ts';
