import { describe, expect, it } from 'vitest';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { randomFloat32 } from '../test/helpers/random.ts';
import { UnsupportedOpError, UnsupportedVariantError } from './errors.ts';
import { kernelKey } from './kernel.ts';
import { KERNELS } from './ops/registry.ts';
import { prepareModel } from './prepare.ts';

/** Conv -> Relu -> GlobalAveragePool, plus an Add when `withAdd`: ops whose meaning never changed, and one that did. */
function oldModel(opset: number, withAdd: boolean): Uint8Array {
  const b = new ModelBuilder({ opset })
    .input('x', [1, 2, 4, 4])
    .output('y', [1, 3, 1, 1])
    .initializer('W', [3, 2, 1, 1], randomFloat32(6, 1))
    .node('Conv', ['x', 'W'], ['c'], { kernel_shape: attr.ints([1, 1]) }, { name: 'conv' })
    .node('Relu', ['c'], ['r'], {}, { name: 'relu' });
  if (!withAdd) return b.node('GlobalAveragePool', ['r'], ['y'], {}, { name: 'gap' }).toBytes();
  return b.initializer('B', [1, 3, 4, 4], randomFloat32(48, 2))
    .node('Add', ['r', 'B'], ['s'], {}, { name: 'add' })
    .node('GlobalAveragePool', ['s'], ['y'], {}, { name: 'gap' })
    .toBytes();
}

describe('prepareModel: opsets before 7', () => {
  it.each([1, 6])('should accept opset %i when every op kept its meaning', (opset) => {
    expect(prepareModel(oldModel(opset, false)).nodes.map((n) => n.opType)).toEqual(['Conv', 'GlobalAveragePool']);
  });

  it('should refuse an op whose older meaning differs, naming the node and the opset it is implemented from', () => {
    expect(() => prepareModel(oldModel(6, true))).toThrow(UnsupportedVariantError);
    expect(() => prepareModel(oldModel(6, true))).toThrow(/^Add \(node "add"\): opset 6 gives Add another meaning; this engine implements it from opset 7/);
    expect(prepareModel(oldModel(7, true)).opset).toBe(7);
  });
});

describe('prepareModel: ops of another domain', () => {
  const model = (): Uint8Array =>
    new ModelBuilder({ opset: [{ domain: '', version: 13 }, { domain: 'com.example', version: 1 }] })
      .input('x', [1, 4])
      .output('y', [1, 4])
      .node('Relu', ['x'], ['y'], {}, { name: 'their_relu', domain: 'com.example' })
      .toBytes();

  it('should not take com.example:Relu for ONNX Relu', () => {
    expect(() => prepareModel(model())).toThrow(UnsupportedOpError);
    expect(() => prepareModel(model())).toThrow(/Relu/);
  });

  it('should run it with a definition registered under its domain-qualified key', () => {
    const prepared = prepareModel(model(), { kernels: { [kernelKey({ domain: 'com.example', opType: 'Relu' })]: KERNELS.Relu } });
    expect(prepared.nodes.map((n) => `${n.domain}:${n.opType}`)).toEqual(['com.example:Relu']);
  });
});
