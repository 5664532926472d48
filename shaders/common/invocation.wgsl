// shaders/common/invocation.wgsl: the linear invocation index of a 1-D dispatch that the engine may have folded
// into 2-D to stay within maxComputeWorkgroupsPerDimension (engine/gpu/limits.ts):
// id = (wid.x + wid.y * nwg.x) * WORKGROUP_SIZE + lid.x. WORKGROUP_SIZE has no default: it comes from the
// kernel's definition (engine/wgsl/kernel.ts), the one place that also sizes the dispatch.
override WORKGROUP_SIZE: u32;

fn linear_workgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}
