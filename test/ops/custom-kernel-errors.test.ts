/**
 * A wrong custom kernel must fail at InferenceSession.create, never at run: a WGSL compile error names the
 * kernel's source file (its first line), a line and the compiler's words (engine/gpu/pipelines.ts); a body
 * that uses a binding the kernel definition does not declare is such an error too, since the declarations are
 * generated from the definition; a binding whose element type does not match the value is refused before any
 * GPU work. Afterwards the same device still runs good sessions.
 */
import { describe, expect, it } from 'vitest';
import { GpuError, InferenceSession, UnsupportedVariantError } from '../../engine/index.ts';
import type { OpDefinition, StorageElement } from '../../engine/kernel.ts';
import { hardSwish } from '../../engine/ops/hardswish.ts';
import { activationConstants, labelFor, WORKGROUP_SIZE } from '../../engine/ops/common.ts';
import { defineKernel } from '../../engine/wgsl/kernel.ts';
import { defineParams } from '../../engine/wgsl/params.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { getTestDevice } from '../helpers/device.ts';
import { trackBuffers } from '../helpers/buffers.ts';
import { expectMatchesOrt, randomFeeds } from './op-model.ts';

const PARAMS = defineParams({ size: 'u32' });
const MODEL = new ModelBuilder({ opset: 14 }).input('x', [2, 8]).node('HardSwish', ['x'], ['y'], {}, { name: 'hswish' }).output('y', [2, 8]).toBytes();

/** A HardSwish replacement whose WGSL (and the element type of its x binding) the test chooses. */
function kernel(wgsl: string, xType: StorageElement = 'f32'): OpDefinition {
  const def = defineKernel({ wgsl, family: 'elementwise', workgroupSize: WORKGROUP_SIZE, params: PARAMS, bindings: { x: xType, y: 'f32' } });
  return {
    inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
    createDispatches(ctx) {
      const size = ctx.inputShapes[0]!.reduce((a, b) => a * b, 1);
      return [def.dispatch({ label: labelFor('my_kernel', ctx.node), bindings: { x: { input: 0 }, y: { output: 0 } }, params: { size }, constants: activationConstants(undefined), invocations: size })];
    },
  };
}

/** A kernel file: the header naming `path`, then `main` with `body` (which writes y[i]). */
const kernelFile = (path: string, body: string) => `// ${path}: a test kernel
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
${body}
}
`;

async function createError(def: OpDefinition): Promise<unknown> {
  const { device } = await getTestDevice();
  return InferenceSession.create(device, MODEL, { kernels: { HardSwish: def } }).then(
    (s) => (s.dispose(), undefined),
    (e: unknown) => e,
  );
}

async function compileError(def: OpDefinition): Promise<GpuError> {
  const error = await createError(def);
  expect(error).toBeInstanceOf(GpuError);
  return error as GpuError;
}

/** The line the message gives for `path`, as text of the kernel's own file: the module starts with the file. */
function reportedLine(message: string, path: string, wgsl: string): string {
  const m = new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+): `).exec(message);
  expect(m, `"${path}:<line>:<col>: " in: ${message}`).not.toBeNull();
  return wgsl.split('\n')[Number(m![1]) - 1];
}

describe('custom kernel errors', () => {
  it('a WGSL syntax error fails create with the source file, the line and the compiler message', async () => {
    const wgsl = kernelFile('kernels/broken_syntax.wgsl', '  let i = gid.x\n  if (i >= params.size) { return; }\n  y[i] = x[i];'); // no ';' after gid.x
    const error = await compileError(kernel(wgsl));
    expect(error.code).toBe('gpu_error');
    expect(error.message).toContain('compiling kernel my_kernel:hswish');
    expect(error.message).toMatch(/expected ';'/);
    // Tint reports the missing ';' at the next token: the `if` line.
    expect(reportedLine(error.message, 'kernels/broken_syntax.wgsl', wgsl)).toContain('if (i >= params.size)');
  });

  it('a type error names the file, the line and the mismatched types', async () => {
    const wgsl = kernelFile('kernels/type_error.wgsl', '  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] + i;');
    const error = await compileError(kernel(wgsl));
    expect(error.message).toMatch(/no matching overload for 'operator \+ \(f32, u32\)'/);
    expect(reportedLine(error.message, 'kernels/type_error.wgsl', wgsl)).toContain('y[i] = x[i] + i;');
  });

  it('a binding the body uses but the kernel definition does not declare is an unresolved name at its line', async () => {
    const wgsl = kernelFile('kernels/undeclared.wgsl', '  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] * scale[0];');
    const error = await compileError(kernel(wgsl));
    expect(error.message).toMatch(/unresolved value 'scale'/);
    expect(reportedLine(error.message, 'kernels/undeclared.wgsl', wgsl)).toContain('x[i] * scale[0]');
  });

  it('a binding declared u32 for a float32 input is refused before any GPU work, naming the node and the binding', async () => {
    const wgsl = kernelFile('kernels/element_type.wgsl', '  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] * 0.5;');
    const error = await createError(kernel(wgsl, 'u32'));
    // The float32 input cannot be bound as u32: refused before the shader is even compiled.
    expect(error).toBeInstanceOf(UnsupportedVariantError);
    expect((error as Error).message).toBe('HardSwish (node "hswish"): input 0 ("x") is float32 at run time; its kernel binding "x" reads u32');
  });

  it('a kernel file that does not name itself on its first line is refused when the kernel is defined', () => {
    expect(() => kernel('@compute @workgroup_size(1) fn main() {}')).toThrow(/WGSL must start with a comment naming its file/);
  });

  it('the device still runs good sessions afterwards, and a fixed kernel compiles (failures are not cached)', async () => {
    const { device } = await getTestDevice();
    const tracker = trackBuffers(device);
    try {
      await compileError(kernel('// kernels/not_wgsl.wgsl\nthis is not wgsl'));
      await compileError(kernel(kernelFile('kernels/undeclared.wgsl', '  y[gid.x] = x[gid.x] * scale[0];')));
      expect(tracker.live(), 'a failed create leaves no buffer behind').toEqual([]);
    } finally {
      tracker.restore();
    }
    await expectMatchesOrt(MODEL, randomFeeds({ x: [2, 8] }));
    const fixed = kernelFile('kernels/fixed.wgsl', '  let i = gid.x;\n  if (i >= params.size) { return; }\n  y[i] = x[i] * clamp(x[i] / 6.0 + 0.5, 0.0, 1.0);');
    await expectMatchesOrt(MODEL, randomFeeds({ x: [2, 8] }), { kernels: { HardSwish: kernel(fixed) } });
    await expectMatchesOrt(MODEL, randomFeeds({ x: [2, 8] }), { kernels: { HardSwish: hardSwish } });
    const lost = await Promise.race([device.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
    expect(lost).toBe(false);
  });
});
