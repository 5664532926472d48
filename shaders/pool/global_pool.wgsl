// GlobalAveragePool (POOL_KIND 1) and GlobalMaxPool (POOL_KIND 0): one workgroup per (n, c) plane. Each thread
// folds a strided share of the plane, then the workgroup reduces the partials in workgroup memory, so a 56x56
// plane costs 49 reads per thread rather than 3136 on one.
// Bindings: x, y, params.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override POOL_KIND: u32 = 1u;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn combine(a: f32, b: f32) -> f32 {
  if (POOL_KIND == 0u) { return max(a, b); }
  return a + b;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // The plane index is uniform across the workgroup, so the early return keeps barriers in uniform control flow.
  let plane = linear_workgroup(wid, nwg);
  if (plane >= params.planes) { return; }
  let base = plane * params.plane_size;
  var acc = select(0.0, -3.4028234663852886e38, POOL_KIND == 0u);
  for (var i = lid; i < params.plane_size; i += WORKGROUP_SIZE) {
    acc = combine(acc, x[base + i]);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] = combine(partial[lid], partial[lid + stride]); }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var r = partial[0];
    if (POOL_KIND == 1u) { r /= f32(params.plane_size); }
    y[plane] = r;
  }
}
