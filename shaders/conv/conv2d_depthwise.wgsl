// shaders/conv/conv2d_depthwise.wgsl: depthwise 2-D convolution (groups = channels, one filter per channel), the
// MobileNet / MNASNet / EfficientNet / ShuffleNet layer.
//
// Each invocation computes PIXELS_PER_INVOCATION consecutive output pixels of one row of one channel: per tap it
// loads one weight and reuses it for every pixel, and neighbouring pixels' windows overlap in the input row, so the
// row segment is read from cache instead of once per output. The window size is the pipeline constants K_H and
// K_W, so the tap loops have constant bounds (unrolled). Weights are [C][KH][KW] as in ONNX, then the C biases
// (one binding: the fourth storage slot is the residual). RESIDUAL adds a same-shape tensor before the activation.
// engine/ops/conv.ts (CONV2D_DEPTHWISE) declares the bindings input, weights, residual, output, Params and
// PIXELS_PER_INVOCATION.

override K_H: u32;
override K_W: u32;
override RESIDUAL: bool;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let runs = (params.out_w + PIXELS_PER_INVOCATION - 1u) / PIXELS_PER_INVOCATION;
  if (id >= params.batch * params.out_c * params.out_h * runs) { return; }
  // Runs along a row vary fastest, then rows: neighbouring invocations read neighbouring input.
  let ox0 = (id % runs) * PIXELS_PER_INVOCATION;
  let oy = (id / runs) % params.out_h;
  let plane = id / (runs * params.out_h);
  let c = plane % params.out_c;
  let in_base = plane * params.in_h * params.in_w;
  let w_base = c * K_H * K_W;

  var acc: array<f32, PIXELS_PER_INVOCATION>;
  for (var ky = 0u; ky < K_H; ky++) {
    let iy = i32(oy * params.stride_h + ky * params.dilation_h) - i32(params.pad_top);
    if (iy < 0 || iy >= i32(params.in_h)) { continue; }
    let row = in_base + u32(iy) * params.in_w;
    for (var kx = 0u; kx < K_W; kx++) {
      let w = weights[w_base + ky * K_W + kx];
      let ix0 = i32(ox0 * params.stride_w + kx * params.dilation_w) - i32(params.pad_left);
      for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) {
        let ix = ix0 + i32(j * params.stride_w);
        // Padding reads as zero; the clamped index keeps the load in bounds either way.
        let inside = ix >= 0 && ix < i32(params.in_w);
        acc[j] += select(0.0, w * input[row + u32(clamp(ix, 0, i32(params.in_w) - 1))], inside);
      }
    }
  }
  let bias = weights[params.out_c * K_H * K_W + c];
  let out_row = (plane * params.out_h + oy) * params.out_w;
  for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) {
    if (ox0 + j >= params.out_w) { break; }
    let o = out_row + ox0 + j;
    var y = acc[j] + bias;
    if (RESIDUAL) { y += residual[o]; }
    output[o] = activate(y);
  }
}
