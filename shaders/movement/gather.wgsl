// shaders/movement/gather.wgsl: Gather along one axis. The input is [outer, n, inner] around the axis, the output
// [outer, count, inner]; `indices` holds the count indices, already made non-negative and checked against n by
// engine/ops/shape-ops.ts (they are known before the run), so this kernel only copies.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let r = i % params.inner;
  let k = (i / params.inner) % params.count;
  let o = i / (params.inner * params.count);
  y[i] = x[(o * params.n + indices[k]) * params.inner + r];
}
