// shaders/elementwise/unary.wgsl: y = activate(x) elementwise. The shared activation helper
// (shaders/common/activation.wgsl) does the work, chosen by its ACTIVATION constant (Relu, LeakyRelu, Clip,
// Sigmoid; see engine/ops/unary.ts, which also declares the bindings x, y and Params).

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  y[i] = activate(x[i]);
}
