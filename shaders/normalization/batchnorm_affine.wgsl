// shaders/normalization/batchnorm_affine.wgsl: step 2 of batchnorm_normalize.wgsl, in place on its output:
// y = activate(y * scale[c] + bias[c]). engine/ops/batchnorm.ts declares the bindings scale, bias, y and Params.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let c = (i / params.plane) % params.channels;
  y[i] = activate(y[i] * scale[c] + bias[c]);
}
