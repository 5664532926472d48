// shaders/elementwise/clip.wgsl: Clip whose min or max is computed at run time (opset 11+ inputs that are not
// constants): each bound is read from its one-element binding, so one plan serves every value. Constant bounds
// take the unary kernel's clip activation instead (engine/ops/unary.ts), which also fuses into producers.
// engine/ops/unary.ts (CLIP) declares the bindings x, lo, hi, y and Params.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  // min(max(...)) as ONNX defines it: when min > max every element becomes max.
  y[i] = min(max(x[i], lo[0]), hi[0]);
}
