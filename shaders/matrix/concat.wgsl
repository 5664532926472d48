// Copies one Concat input into its slice of the output: the input is `outer` blocks of `in_block` elements,
// block b lands at b * out_block + offset. One dispatch per input (engine/ops/concat.ts); this kernel only runs
// when the planner could not have the producers write into the output directly (engine/plan.ts).
// Bindings: x, y, params.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let block = i / params.in_block;
  y[block * params.out_block + params.offset + i % params.in_block] = x[i];
}
