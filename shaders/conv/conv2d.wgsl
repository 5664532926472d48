// shaders/conv/conv2d.wgsl: direct 2-D convolution, any kernel size, stride, padding, dilation and group count
// (depthwise included). Each invocation computes OUT_PER_INVOCATION (1..MAX_OUT_PER_INVOCATION) consecutive output
// channels of one output pixel, so the input window is read once for several filters. Weights are laid out
// [Cout][Cin/group][KH][KW] as in ONNX, followed by the Cout biases (one binding, so the fourth storage slot is
// free for the residual). RESIDUAL adds a same-shape tensor before the activation (a fused skip Add).
// engine/ops/conv.ts (CONV2D) declares the bindings input, weights, residual, output, Params and
// MAX_OUT_PER_INVOCATION.

override OUT_PER_INVOCATION: u32;
override RESIDUAL: bool;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let pixels = params.out_h * params.out_w;
  let channel_blocks = (params.out_c + OUT_PER_INVOCATION - 1u) / OUT_PER_INVOCATION;
  if (id >= params.batch * channel_blocks * pixels) { return; }
  let p = id % pixels;
  let cb = (id / pixels) % channel_blocks;
  let n = id / (pixels * channel_blocks);
  let oy = p / params.out_w;
  let ox = p % params.out_w;
  let co0 = cb * OUT_PER_INVOCATION;
  let cout_per_group = params.out_c / params.groups;
  let g = co0 / cout_per_group;
  // A block never straddles two groups: the host picks OUT_PER_INVOCATION dividing out_c / groups.
  let cin0 = g * params.in_c_per_group;
  let in_plane = params.in_h * params.in_w;
  let w_per_out = params.in_c_per_group * params.k_h * params.k_w;

  var acc: array<f32, MAX_OUT_PER_INVOCATION>;
  for (var ci = 0u; ci < params.in_c_per_group; ci++) {
    let in_base = (n * params.in_c + cin0 + ci) * in_plane;
    for (var ky = 0u; ky < params.k_h; ky++) {
      let iy = i32(oy * params.stride_h + ky * params.dilation_h) - i32(params.pad_top);
      if (iy < 0 || iy >= i32(params.in_h)) { continue; }
      for (var kx = 0u; kx < params.k_w; kx++) {
        let ix = i32(ox * params.stride_w + kx * params.dilation_w) - i32(params.pad_left);
        if (ix < 0 || ix >= i32(params.in_w)) { continue; }
        let x = input[in_base + u32(iy) * params.in_w + u32(ix)];
        let w_off = (ci * params.k_h + ky) * params.k_w + kx;
        for (var j = 0u; j < OUT_PER_INVOCATION; j++) {
          acc[j] += x * weights[(co0 + j) * w_per_out + w_off];
        }
      }
    }
  }
  let bias_base = params.out_c * w_per_out;
  for (var j = 0u; j < OUT_PER_INVOCATION; j++) {
    let co = co0 + j;
    let o = (n * params.out_c + co) * pixels + p;
    var y = acc[j] + weights[bias_base + co];
    if (RESIDUAL) { y += residual[o]; }
    output[o] = activate(y);
  }
}
