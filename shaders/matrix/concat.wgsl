// shaders/matrix/concat.wgsl: copies one Concat input into its slice of the output. The input is `outer` blocks of
// `in_block` elements; block b lands at b * out_block + offset. One dispatch per input (engine/ops/concat.ts, which
// declares the bindings x, y and Params); this kernel only runs when the planner could not have the producers
// write into the output directly (engine/plan.ts).

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let block = i / params.in_block;
  y[block * params.out_block + params.offset + i % params.in_block] = x[i];
}
