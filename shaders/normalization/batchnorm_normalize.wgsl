// shaders/normalization/batchnorm_normalize.wgsl: BatchNormalization whose statistics are data (run-time inputs,
// or the batch's own in training mode), step 1 of 2: y = (x - mean[c]) / sqrt(variance[c] + epsilon). The scale
// and bias follow in batchnorm_affine.wgsl: with x and y, four bindings is compatibility mode's limit.
// engine/ops/batchnorm.ts declares the bindings x, mean, variance, y and Params.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let c = (i / params.plane) % params.channels;
  y[i] = (x[i] - mean[c]) / sqrt(variance[c] + params.epsilon);
}
