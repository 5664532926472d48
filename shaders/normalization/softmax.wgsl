// shaders/normalization/softmax.wgsl: Softmax over rows of `axis_len` elements spaced `inner` apart: row r
// starts at (r / inner) * axis_len * inner + r % inner (the host maps both opset semantics onto this,
// engine/ops/softmax.ts). Max is subtracted first so exp never overflows.
// Entry points: `row_per_invocation` for short rows (one thread walks its row three times), `row_per_workgroup`
// for long rows (class scores: the workgroup shares each pass and reduces in workgroup memory).
// engine/ops/softmax.ts declares the bindings x, y and Params.

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn row_base(r: u32) -> u32 {
  return (r / params.inner) * params.axis_len * params.inner + r % params.inner;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn row_per_invocation(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (r >= params.rows) { return; }
  let base = row_base(r);
  let step = params.inner;
  var m = -3.4028234663852886e38;
  for (var k = 0u; k < params.axis_len; k++) { m = max(m, x[base + k * step]); }
  var sum = 0.0;
  for (var k = 0u; k < params.axis_len; k++) { sum += exp(x[base + k * step] - m); }
  let inv = 1.0 / sum;
  for (var k = 0u; k < params.axis_len; k++) { y[base + k * step] = exp(x[base + k * step] - m) * inv; }
}

/** Reduces `partial` with max (want_max) or sum; every thread returns the result. */
fn reduce(lid: u32, value: f32, want_max: bool) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let other = partial[lid + stride];
      partial[lid] = select(partial[lid] + other, max(partial[lid], other), want_max);
    }
    workgroupBarrier();
  }
  let result = partial[0];
  // Nobody may overwrite partial[0] for the next reduction before everyone has read it.
  workgroupBarrier();
  return result;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn row_per_workgroup(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // r is uniform across the workgroup, so this return keeps the barriers in uniform control flow.
  let r = linear_workgroup(wid, nwg);
  if (r >= params.rows) { return; }
  let base = row_base(r);
  let step = params.inner;
  var m = -3.4028234663852886e38;
  for (var k = lid; k < params.axis_len; k += WORKGROUP_SIZE) { m = max(m, x[base + k * step]); }
  m = reduce(lid, m, true);
  var sum = 0.0;
  for (var k = lid; k < params.axis_len; k += WORKGROUP_SIZE) { sum += exp(x[base + k * step] - m); }
  let inv = 1.0 / reduce(lid, sum, false);
  for (var k = lid; k < params.axis_len; k += WORKGROUP_SIZE) { y[base + k * step] = exp(x[base + k * step] - m) * inv; }
}
