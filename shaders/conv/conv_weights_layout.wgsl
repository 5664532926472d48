// shaders/conv/conv_weights_layout.wgsl: a Conv's W (and B) computed at run time, re-laid out on the GPU into the
// one weights binding the conv kernels read, exactly as engine/ops/conv.ts does on the host for constant
// weights: [Cin/group][taps][CoutP] (CHANNELS_LAST) or ONNX's [Cout][Cin/group][taps], then CoutP biases, with
// output channels zero-padded to cout_padded. One thread per packed element. engine/ops/conv.ts declares the
// bindings w, b (W again, unread, when there is no bias), packed (a scratch buffer) and Params.

override CHANNELS_LAST: bool;
override HAS_BIAS: bool;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let per_out = params.cin * params.taps;
  let weights = per_out * params.cout_padded;
  if (j >= weights + params.cout_padded) { return; }
  if (j >= weights) {
    let o = j - weights;
    packed[j] = select(0.0, b[min(o, params.cout - 1u)], HAS_BIAS && o < params.cout);
    return;
  }
  var v = 0.0;
  if (CHANNELS_LAST) {
    let o = j % params.cout_padded;
    if (o < params.cout) { v = w[o * per_out + j / params.cout_padded]; }
  } else if (j < params.cout * per_out) {
    v = w[j];
  }
  packed[j] = v;
}
