// shaders/elementwise/binary.wgsl: z = a OP b with numpy broadcasting (OP 0 add, 1 sub, 2 mul, 3 div), then the
// fused activation. The host collapses the output to its fewest dims (engine/ops/binary.ts) and passes them as
// params.out_dims (rank params.rank) with each operand's element strides, 0 along broadcast dims; the shared
// index helper (shaders/common/indexing.wgsl) turns an output index into both operands' offsets.
// BROADCAST 0 means both operands already have the output's shape, so the index needs no arithmetic.

override OP: u32;
override BROADCAST: u32;

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    default: { return x + y; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  if (BROADCAST == 0u) {
    z[i] = activate(apply(a[i], b[i]));
    return;
  }
  let c = coords_of(i, params.rank, params.out_dims);
  z[i] = activate(apply(a[offset_at(c, params.rank, params.a_strides)], b[offset_at(c, params.rank, params.b_strides)]));
}
