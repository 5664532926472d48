// shaders/normalization/batchnorm_running.wgsl: BatchNormalization in training mode, last step: the running
// statistics outputs, which hold the batch's statistics (batchnorm_statistics.wgsl wrote them there), become
// input * momentum + batch * (1 - momentum). engine/ops/batchnorm.ts declares the bindings input_mean, input_var,
// mean, variance (the last two written) and Params.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (c >= params.channels) { return; }
  mean[c] = input_mean[c] * params.momentum + mean[c] * (1.0 - params.momentum);
  variance[c] = input_var[c] * params.momentum + variance[c] * (1.0 - params.momentum);
}
