// shaders/elementwise/variadic.wgsl: Sum, Mean, Max, Min of any number of broadcast inputs (OP 0 sum, 1 max,
// 2 min), up to three per dispatch: compatibility mode allows 4 storage buffers per stage, so later dispatches
// (ACCUMULATE 1) fold three more inputs into what y already holds. COUNT says how many of x0..x2 this dispatch
// reads; y is finally multiplied by SCALE (1 / n on Mean's last dispatch, else 1). As in binary.wgsl, the host
// collapses the output dims (params.out_dims, rank params.rank) and passes each input's strides (0 = broadcast).
// engine/ops/variadic.ts declares the bindings and Params.

override OP: u32;
override COUNT: u32;
override ACCUMULATE: u32;
override SCALE: f32;

fn combine(a: f32, b: f32) -> f32 {
  switch OP {
    case 1u: { return max(a, b); }
    case 2u: { return min(a, b); }
    default: { return a + b; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let c = coords_of(i, params.rank, params.out_dims);
  var acc = x0[offset_at(c, params.rank, params.x0_strides)];
  if (ACCUMULATE == 1u) { acc = combine(y[i], acc); }
  if (COUNT > 1u) { acc = combine(acc, x1[offset_at(c, params.rank, params.x1_strides)]); }
  if (COUNT > 2u) { acc = combine(acc, x2[offset_at(c, params.rank, params.x2_strides)]); }
  y[i] = acc * SCALE;
}
