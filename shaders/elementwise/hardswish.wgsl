// shaders/elementwise/hardswish.wgsl: HardSwish (ONNX opset 14), y = x * max(0, min(1, x / 6 + 0.5)), elementwise.
// The worked example of docs/custom-shaders.md: one thread per element. The bindings (x, y), the Params struct
// and WORKGROUP_SIZE come from the kernel definition in engine/ops/hardswish.ts; the shared snippets give
// linear_workgroup() (a 1-D index over a dispatch the engine may fold into 2-D) and activate().

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let v = x[i];
  // activate() (shaders/common/activation.wgsl) applies a Relu/LeakyRelu/Clip/Sigmoid that the optimizer fused
  // into this node (the op declares fusesActivation); with none fused, ACTIVATION is 0 and it compiles away.
  y[i] = activate(v * clamp(v / 6.0 + 0.5, 0.0, 1.0));
}
