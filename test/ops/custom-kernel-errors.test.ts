/**
 * A wrong custom kernel must fail at InferenceSession.create, never at run: a WGSL compile error names the
 * kernel's source file, a line and the compiler's words (engine/gpu/pipelines.ts); a binding the dispatch does
 * not supply is a GpuError naming the kernel. Afterwards the same device still runs good sessions.
 */
import { describe, expect, it } from 'vitest';
import { GpuError, InferenceSession } from '../../engine/index.ts';
import type { BindingSource, OpDefinition } from '../../engine/kernel.ts';
import { hardSwish } from '../../engine/ops/hardswish.ts';
import { labelFor, shaderModule, workgroupsFor, WORKGROUP_SIZE } from '../../engine/ops/common.ts';
import { defineParams } from '../../shaders/params.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { getTestDevice } from '../helpers/device.ts';
import { expectMatchesOrt, randomFeeds } from './op-model.ts';

const PARAMS = defineParams({ size: 'u32' });
const MODEL = new ModelBuilder({ opset: 14 }).input('x', [2, 8]).node('HardSwish', ['x'], ['y'], {}, { name: 'hswish' }).output('y', [2, 8]).toBytes();

type Bindings = 'x, y, params' | 'x, params';

/** A HardSwish replacement whose WGSL and bindings the test chooses. */
function kernel(source: string, wgsl: string, bindings: Bindings = 'x, y, params'): OpDefinition {
  return {
    inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
    createDispatches(ctx) {
      const size = ctx.inputShapes[0]!.reduce((a, b) => a * b, 1);
      const params: BindingSource = { uniform: PARAMS.pack({ size }) };
      return [{
        label: labelFor('my_kernel', ctx.node),
        family: 'elementwise',
        code: shaderModule(PARAMS, wgsl),
        source,
        constants: { WORKGROUP_SIZE, ACTIVATION: 0 },
        bindings: bindings === 'x, y, params' ? [{ input: 0 }, { output: 0 }, params] : [{ input: 0 }, params],
        workgroups: workgroupsFor(size),
      }];
    },
  };
}

const DECLARATIONS = `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
`;

/** A kernel file: the declarations above, then `main` with `body` (which writes y[i]). */
const kernelFile = (body: string, extra = '') => `${DECLARATIONS}${extra}@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
${body}
}
`;

async function createError(def: OpDefinition): Promise<GpuError> {
  const { device } = await getTestDevice();
  const error = await InferenceSession.create(device, MODEL, { kernels: { HardSwish: def } }).then(
    (s) => (s.dispose(), undefined),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GpuError);
  return error as GpuError;
}

/**
 * The line the message gives for `source`, as text of the kernel's own file: shaderModule puts the kernel file
 * first, so the compiler's line numbers are the file's.
 */
function reportedLine(message: string, source: string, wgsl: string): string {
  const m = new RegExp(`${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+): `).exec(message);
  expect(m, `"${source}:<line>:<col>: " in: ${message}`).not.toBeNull();
  return wgsl.split('\n')[Number(m![1]) - 1];
}

describe('custom kernel errors', () => {
  it('a WGSL syntax error fails create with the source file, the line and the compiler message', async () => {
    const wgsl = kernelFile('  let i = gid.x\n  if (i >= params.size) { return; }\n  y[i] = x[i];'); // no ';' after gid.x
    const error = await createError(kernel('kernels/broken_syntax.wgsl', wgsl));
    expect(error.code).toBe('gpu_error');
    expect(error.message).toContain('compiling kernel my_kernel:hswish');
    expect(error.message).toMatch(/expected ';'/);
    // Tint reports the missing ';' at the next token: the `if` line.
    expect(reportedLine(error.message, 'kernels/broken_syntax.wgsl', wgsl)).toContain('if (i >= params.size)');
  });

  it('a type error names the file, the line and the mismatched types', async () => {
    const wgsl = kernelFile('  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] + i;');
    const error = await createError(kernel('kernels/type_error.wgsl', wgsl));
    expect(error.message).toMatch(/no matching overload for 'operator \+ \(f32, u32\)'/);
    expect(reportedLine(error.message, 'kernels/type_error.wgsl', wgsl)).toContain('y[i] = x[i] + i;');
  });

  it('an unknown identifier names the file, the line and the identifier', async () => {
    const wgsl = kernelFile('  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] * scale;');
    const error = await createError(kernel('kernels/unresolved.wgsl', wgsl));
    expect(error.message).toMatch(/unresolved value 'scale'/);
    expect(reportedLine(error.message, 'kernels/unresolved.wgsl', wgsl)).toContain('x[i] * scale');
  });

  const body = '  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] * scale[0];';
  const scale = '@group(0) @binding(3) var<storage, read> scale: array<f32>;\n';

  it('a binding the shader declares but the dispatch does not supply fails create, naming the kernel and the count', async () => {
    const error = await createError(kernel('kernels/extra_binding.wgsl', kernelFile(body, scale)));
    expect(error.message).toMatch(/^creating buffers and bind groups: /);
    expect(error.message).toMatch(/Number of entries \(3\) did not match the expected number of entries \(4\)/);
    expect(error.message).toContain('my_kernel:hswish');
  });

  it('bindings listed in the wrong order (uniform where the shader wants storage) fail create, naming the buffer', async () => {
    const wgsl = kernelFile('  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i];');
    const error = await createError(kernel('kernels/wrong_bindings.wgsl', wgsl, 'x, params'));
    expect(error.message).toMatch(/^creating buffers and bind groups: /);
    expect(error.message).toMatch(/"my_kernel:hswish:params".*expected usage \(BufferUsage::Storage\)/s);
  });

  it('the device still runs good sessions afterwards, and a fixed kernel compiles (failures are not cached)', async () => {
    await createError(kernel('kernels/not_wgsl.wgsl', 'this is not wgsl'));
    await createError(kernel('kernels/extra_binding.wgsl', kernelFile(body, scale)));
    await expectMatchesOrt(MODEL, randomFeeds({ x: [2, 8] }));
    const fixed = kernelFile('  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] * clamp(x[i] / 6.0 + 0.5, 0.0, 1.0);');
    await expectMatchesOrt(MODEL, randomFeeds({ x: [2, 8] }), { kernels: { HardSwish: kernel('kernels/fixed.wgsl', fixed) } });
    await expectMatchesOrt(MODEL, randomFeeds({ x: [2, 8] }), { kernels: { HardSwish: hardSwish } });
    const { device } = await getTestDevice();
    const lost = await Promise.race([device.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
    expect(lost).toBe(false);
  });
});
