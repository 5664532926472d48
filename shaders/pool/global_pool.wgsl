// shaders/pool/global_pool.wgsl: GlobalAveragePool (POOL_KIND 1) and GlobalMaxPool (POOL_KIND 0) over each (n, c)
// plane, two ways (engine/ops/pool.ts picks): `plane_per_workgroup` splits a plane across a workgroup and reduces
// the partials in workgroup memory (a 56x56 plane costs 49 reads per thread, not 3136 on one);
// `plane_per_invocation` gives each thread a whole plane with no barriers.
// engine/ops/pool.ts declares the bindings x, y and Params.

override POOL_KIND: u32;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn combine(a: f32, b: f32) -> f32 {
  if (POOL_KIND == 0u) { return max(a, b); }
  return a + b;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn plane_per_workgroup(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
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

// Small planes, and CPU rasterisers, where a barrier switches between coroutines.
@compute @workgroup_size(WORKGROUP_SIZE)
fn plane_per_invocation(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let plane = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (plane >= params.planes) { return; }
  let base = plane * params.plane_size;
  var acc = select(0.0, -3.4028234663852886e38, POOL_KIND == 0u);
  for (var i = 0u; i < params.plane_size; i++) {
    acc = combine(acc, x[base + i]);
  }
  if (POOL_KIND == 1u) { acc /= f32(params.plane_size); }
  y[plane] = acc;
}
