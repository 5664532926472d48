/**
 * @module Test workload run identically on a native Dawn device and a bridge device: y = 2x + 1 through an
 * auto-layout pipeline, then x' = 0.5y - 0.5 through an explicit-layout one; override constants, two bind
 * groups, a uniform, an offset binding, copy and clear, one readback.
 */

export const AFFINE_WGSL = /* wgsl */ `
override scale: f32 = 1.0;
override bias: f32 = 0.0;
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(1) @binding(0) var<storage, read_write> y: array<f32>;
@group(1) @binding(1) var<uniform> n: vec4<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * 65535u * 64u;
  if (i < n.x) { y[i] = x[i] * scale + bias; }
}
`;

export interface AffineKit {
  run(input: Float32Array): Promise<{ y: Float32Array; back: Float32Array }>;
  destroy(): void;
}

/** Builds every GPU object once (no awaits), so `run` is write + dispatch + one mapAsync. */
export function buildAffine(device: GPUDevice, count: number): AffineKit {
  const bytes = count * 4;
  const S = GPUBufferUsage;
  const input = device.createBuffer({ size: bytes, usage: S.STORAGE | S.COPY_DST, label: 'x' });
  const y = device.createBuffer({ size: bytes, usage: S.STORAGE | S.COPY_SRC | S.COPY_DST, label: 'y' });
  // x' lives at an offset inside a bigger buffer, to exercise bind group offset/size.
  const pad = 256;
  const back = device.createBuffer({ size: pad + bytes, usage: S.STORAGE | S.COPY_SRC | S.COPY_DST, label: 'back' });
  const uniform = device.createBuffer({ size: 16, usage: S.UNIFORM, mappedAtCreation: true, label: 'n' });
  new Uint32Array(uniform.getMappedRange()).set([count, 0, 0, 0]);
  uniform.unmap();
  const staging = device.createBuffer({ size: 2 * bytes, usage: S.MAP_READ | S.COPY_DST, label: 'staging' });

  const module = device.createShaderModule({ code: AFFINE_WGSL, label: 'affine.wgsl' });
  const auto = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main', constants: { scale: 2, bias: 1 } } });
  const bgl0 = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }] });
  const bgl1 = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
    ],
  });
  const explicit = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [bgl0, bgl1] }),
    compute: { module, entryPoint: 'main', constants: { scale: 0.5, bias: -0.5 } },
  });
  const autoGroups = [
    device.createBindGroup({ layout: auto.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: input } }] }),
    device.createBindGroup({ layout: auto.getBindGroupLayout(1), entries: [{ binding: 0, resource: { buffer: y } }, { binding: 1, resource: { buffer: uniform } }] }),
  ];
  const explicitGroups = [
    device.createBindGroup({ layout: bgl0, entries: [{ binding: 0, resource: { buffer: y } }] }),
    device.createBindGroup({ layout: bgl1, entries: [{ binding: 0, resource: { buffer: back, offset: pad, size: bytes } }, { binding: 1, resource: { buffer: uniform } }] }),
  ];
  const groups = Math.ceil(count / 64);
  const gx = Math.min(groups, 65535);
  const gy = Math.ceil(groups / 65535);

  return {
    async run(data) {
      device.queue.writeBuffer(input, 0, data);
      const encoder = device.createCommandEncoder();
      encoder.clearBuffer(back);
      const pass = encoder.beginComputePass();
      pass.setPipeline(auto);
      autoGroups.forEach((g, i) => pass.setBindGroup(i, g));
      pass.dispatchWorkgroups(gx, gy);
      pass.setPipeline(explicit);
      explicitGroups.forEach((g, i) => pass.setBindGroup(i, g));
      pass.dispatchWorkgroups(gx, gy);
      pass.end();
      encoder.copyBufferToBuffer(y, 0, staging, 0, bytes);
      encoder.copyBufferToBuffer(back, pad, staging, bytes, bytes);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const out = staging.getMappedRange();
      const result = { y: new Float32Array(out.slice(0, bytes)), back: new Float32Array(out.slice(bytes, 2 * bytes)) };
      staging.unmap();
      return result;
    },
    destroy() {
      for (const b of [input, y, back, uniform, staging]) b.destroy();
    },
  };
}

/** Deterministic input (xorshift), so both devices see the same numbers. */
export function seededFloats(count: number, seed = 1): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 0xffffffff) * 200 - 100;
  }
  return out;
}
