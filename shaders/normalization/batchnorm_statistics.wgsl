// shaders/normalization/batchnorm_statistics.wgsl: BatchNormalization in training mode, step 1: each channel's
// mean and (biased, as ONNX defines it) variance over the batch and spatial dims, one thread per channel, two
// passes (mean, then squared deviations) so large means do not cancel. engine/ops/batchnorm.ts declares the
// bindings x, mean, variance (both written) and Params.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (c >= params.channels) { return; }
  let count = f32(params.batch * params.plane);
  var sum = 0.0;
  for (var n = 0u; n < params.batch; n++) {
    let base = (n * params.channels + c) * params.plane;
    for (var p = 0u; p < params.plane; p++) { sum += x[base + p]; }
  }
  let m = sum / count;
  var squares = 0.0;
  for (var n = 0u; n < params.batch; n++) {
    let base = (n * params.channels + c) * params.plane;
    for (var p = 0u; p < params.plane; p++) { let d = x[base + p] - m; squares += d * d; }
  }
  mean[c] = m;
  variance[c] = squares / count;
}
