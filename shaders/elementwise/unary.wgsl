// y = activate(x) elementwise: the shared activation helper (shaders/common/activation.wgsl) does the work, chosen
// by its ACTIVATION constant (Relu, LeakyRelu, Clip, Sigmoid; see engine/ops/unary.ts).
// Bindings: x, y, params.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  y[i] = activate(x[i]);
}
