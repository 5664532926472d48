// shaders/normalization/lrn.wgsl: LRN across channels, y = x / (bias + alpha / size * sum of x^2 over the
// channel window [c - floor((size-1)/2), c + ceil((size-1)/2)]) ^ beta, one thread per element. The window is
// a handful of channels (5 in the Caffe exports), params.inner elements apart. engine/ops/lrn.ts declares the
// bindings x, y and Params.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let c = i32((i / params.inner) % params.channels);
  let first = max(c - i32(params.before), 0);
  let last = min(c + i32(params.after), i32(params.channels) - 1);
  let plane0 = i - u32(c) * params.inner;
  var sum = 0.0;
  for (var k = first; k <= last; k++) {
    let v = x[plane0 + u32(k) * params.inner];
    sum += v * v;
  }
  y[i] = x[i] / pow(params.bias + params.alpha_over_size * sum, params.beta);
}
