// shaders/normalization/batchnorm.wgsl: inference BatchNormalization as y = x * scale[c] + shift[c], with scale and
// shift folded on the host from gamma, beta, mean, variance and epsilon (engine/ops/batchnorm.ts, which declares
// the bindings x, coefficients (all scales, then all shifts), y and Params). c is dim 1 of any rank >= 2.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let c = (i / params.plane) % params.channels;
  y[i] = activate(x[i] * coefficients[c] + coefficients[params.channels + c]);
}
