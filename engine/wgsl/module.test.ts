/** The generated part of a kernel's module: declarations from the binding list, consts, Params; line mapping. */
import { describe, expect, it } from 'vitest';
import { defineKernel } from './kernel.ts';
import { shaderModule } from './module.ts';
import { defineParams, MAX_RANK } from './params.ts';

const BODY = '// kernels/scale.wgsl: y = x * w\n@compute @workgroup_size(WORKGROUP_SIZE)\nfn main() {}\n';

describe('kernel modules', () => {
  const KERNEL = defineKernel({
    wgsl: BODY,
    family: 'elementwise',
    workgroupSize: 32,
    params: defineParams({ size: 'u32', dims: 'dims' }),
    bindings: { x: 'f32', w: 'vec4<f32>', y: 'f32' },
    consts: { TILE: 8 },
  });
  const dispatch = KERNEL.dispatch({ label: 'scale:n', bindings: { x: { input: 0 }, w: { data: new Float32Array(4) }, y: { output: 0 } }, params: { size: 100, dims: [2, 50] }, invocations: 100 });

  it('declares each binding in list order, outputs read_write, then the uniform; passes the workgroup size to shader and launch', () => {
    const { code } = shaderModule(dispatch);
    expect(code.startsWith(BODY)).toBe(true);
    expect(code).toContain(
      [
        '@group(0) @binding(0) var<storage, read> x: array<f32>;',
        '@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;',
        '@group(0) @binding(2) var<storage, read_write> y: array<f32>;',
        '@group(0) @binding(3) var<uniform> params: Params;',
      ].join('\n'),
    );
    expect(code).toContain('const TILE: u32 = 8u;');
    expect(code).toContain(`const MAX_RANK: u32 = ${MAX_RANK}u;`);
    expect(code).toMatch(/struct Params \{\n {2}size: u32,\n {2}dims: Dims,\n\}/);
    expect(dispatch.constants).toMatchObject({ WORKGROUP_SIZE: 32 });
    expect(dispatch.workgroups).toBe(4);
  });

  it('gives two nodes of the same kernel the same module text, so they share one cached pipeline', () => {
    const other = KERNEL.dispatch({ label: 'scale:other_node', bindings: { x: { input: 0 }, w: { input: 1 }, y: { output: 0 } }, params: { size: 7, dims: [7] }, invocations: 7 });
    expect(shaderModule(other).code).toBe(shaderModule(dispatch).code);
  });

  it('maps a module line back to the file it came from', () => {
    const m = shaderModule(dispatch);
    expect(m.where(2)).toBe('kernels/scale.wgsl:2');
    const lines = m.code.split('\n');
    expect(m.where(lines.indexOf('const TILE: u32 = 8u;') + 1)).toMatch(/^\(generated for scale:n\):\d+$/);
    const helper = lines.findIndex((l) => l.startsWith('fn coords_of'));
    expect(m.where(helper + 1)).toMatch(/^shaders\/common\/indexing\.wgsl:\d+$/);
  });

  it('packs dims at 16-byte offsets and refuses more than MAX_RANK of them', () => {
    const P = defineParams({ rank: 'u32', dims: 'dims', scale: 'f32' });
    const { data } = P.pack({ rank: 3, dims: [4, 5, 6], scale: 0.5 });
    expect(P.byteSize).toBe(16 + MAX_RANK * 4 + 16);
    expect([...data.subarray(4, 4 + MAX_RANK)]).toEqual([4, 5, 6, ...new Array<number>(MAX_RANK - 3).fill(0)]);
    expect(new Float32Array(data.buffer)[4 + MAX_RANK]).toBe(0.5);
    expect(() => P.pack({ rank: 9, dims: new Array<number>(MAX_RANK + 1).fill(1), scale: 0 })).toThrow(/at most 8/);
  });
});
