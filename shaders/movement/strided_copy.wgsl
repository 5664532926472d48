// shaders/movement/strided_copy.wgsl: y[i] = x[offset + sum over d of c[d] * strides[d]], c the coordinates of
// output element i. One kernel for the data movement ops that read their input through a strided walk:
// Transpose (permuted strides), Slice and Split (a start offset, step strides), Expand (0 along broadcast dims).
// Strides may be negative (Slice with steps < 0): they arrive as u32 two's complement, and u32 arithmetic wraps,
// so the sum is the right index whenever the true index is (engine/ops/strided.ts builds the walk).
//
// When the innermost dim is contiguous in the input (stride 1: a Transpose that keeps the last dims, a Split or
// Slice along an outer axis), each invocation copies a chunk of RUN consecutive elements of one innermost row,
// so the coordinate arithmetic (a division per dim) is paid once per chunk instead of once per element. RUN = 1
// is the plain per-element walk.

override RUN: u32;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let chunk = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let inner = dim_at(params.dims, params.rank - 1u);
  let chunks_per_row = (inner + RUN - 1u) / RUN;
  let row = chunk / chunks_per_row;
  if (row >= params.size / inner) { return; }
  let start = (chunk % chunks_per_row) * RUN;
  let i = row * inner + start;
  let at = params.offset + offset_at(coords_of(i, params.rank, params.dims), params.rank, params.strides);
  for (var k = 0u; k < min(RUN, inner - start); k++) { y[i + k] = x[at + k]; }
}
