// shaders/movement/strided_copy.wgsl: y[i] = x[offset + sum over d of c[d] * strides[d]], c the coordinates of
// output element i. One kernel for the data movement ops that read their input through a strided walk:
// Transpose (permuted strides), Slice and Split (a start offset, step strides), Expand (0 along broadcast dims).
// Strides may be negative (Slice with steps < 0): they arrive as u32 two's complement, and u32 arithmetic wraps,
// so the sum is the right index whenever the true index is (engine/ops/strided.ts builds the walk).

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let c = coords_of(i, params.rank, params.dims);
  y[i] = x[params.offset + offset_at(c, params.rank, params.strides)];
}
