/**
 * @module A kernel definition: the one object that owns a WGSL kernel's facts. Its file (text and path), its
 * workgroup size, its uniform block, the names and element types of its bindings, and the sizes its body needs
 * as `const`s; `dispatch()` turns per-node values into a Dispatch, passing the workgroup size to the shader
 * as the WORKGROUP_SIZE override and sizing the launch with the same number.
 *
 * @example
 * const RELU = defineKernel({ wgsl: reluWgsl, family: 'elementwise', workgroupSize: 64, params: defineParams({ size: 'u32' }), bindings: { x: 'f32', y: 'f32' } });
 * RELU.dispatch({ label: 'relu:n1', bindings: { x: { input: 0 }, y: { output: 0 } }, params: { size }, invocations: size });
 */
import type { Dispatch, DispatchBinding, StorageElement, StorageSource } from '../kernel.ts';
import type { ParamBlock, ParamType, ParamValues } from './params.ts';
import { wgslSource, type WgslSource } from './source.ts';

/** Any uniform block. */
type AnyParams = ParamBlock<Record<string, ParamType>>;

/** The values `pack` takes for block P. */
type ValuesOf<P> = P extends ParamBlock<infer F> ? ParamValues<F> : never;

export interface KernelSpec<B extends Record<string, StorageElement>, P extends AnyParams | undefined> {
  /** The imported file text; its first line names the file (engine/wgsl/source.ts). */
  wgsl: string;
  /** The family for per-family profiling, e.g. `conv`. */
  family: string;
  /** Threads per workgroup: the shader's WORKGROUP_SIZE and the divisor of `invocations`. */
  workgroupSize: number;
  params?: P;
  /** Binding name -> element type, in binding order (inputs, then outputs); the uniform `params` comes last. */
  bindings: B;
  /** Sizes the body needs at shader creation (register array lengths), declared as module-scope `const`s. */
  consts?: Readonly<Record<string, number>>;
}

export type DispatchArgs<B extends Record<string, StorageElement>, P extends AnyParams | undefined> = {
  label: string;
  /** Each binding's buffer; the uniform is made from `params`. */
  bindings: { [K in keyof B]: StorageSource };
  entryPoint?: string;
  /** Values of the body's other `override`s (tiles, variants, the fused activation). */
  constants?: Record<string, number>;
} & (P extends AnyParams ? { params: ValuesOf<P> } : { params?: undefined }) &
  /** One thread each (workgroups = ceil(invocations / workgroupSize)), or a workgroup count for per-workgroup kernels. */
  ({ invocations: number; workgroups?: undefined } | { workgroups: number; invocations?: undefined });

export interface KernelDefinition<B extends Record<string, StorageElement>, P extends AnyParams | undefined> {
  readonly source: WgslSource;
  readonly family: string;
  readonly workgroupSize: number;
  readonly consts: Readonly<Record<string, number>>;
  dispatch(args: DispatchArgs<B, P>): Dispatch;
}

export function defineKernel<B extends Record<string, StorageElement>, P extends AnyParams | undefined = undefined>(spec: KernelSpec<B, P>): KernelDefinition<B, P> {
  const source = wgslSource(spec.wgsl);
  const consts = spec.consts ?? {};
  return {
    source,
    family: spec.family,
    workgroupSize: spec.workgroupSize,
    consts,
    dispatch(args) {
      const bindings: DispatchBinding[] = Object.entries(spec.bindings).map(([name, type]): DispatchBinding => ({ ...(args.bindings[name as keyof B] as StorageSource), name, type }));
      if (spec.params) bindings.push({ uniform: spec.params.pack(args.params as ValuesOf<P>), name: 'params' });
      return {
        label: args.label,
        family: spec.family,
        kernel: source,
        entryPoint: args.entryPoint,
        constants: { WORKGROUP_SIZE: spec.workgroupSize, ...args.constants },
        consts,
        bindings,
        workgroups: args.workgroups ?? Math.ceil(args.invocations! / spec.workgroupSize),
      };
    },
  };
}
