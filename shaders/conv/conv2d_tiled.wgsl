// shaders/conv/conv2d_tiled.wgsl: register-tiled 2-D convolution (implicit GEMM, no im2col buffer) for group = 1.
//
// Each invocation computes a (4 * CHANNEL_VECS) x PIXELS_PER_INVOCATION tile: 4 * CHANNEL_VECS consecutive
// output channels (CHANNEL_VECS vec4s) times PIXELS_PER_INVOCATION consecutive output pixels of the flattened
// H*W plane. Per reduction step it loads CHANNEL_VECS weight vec4s and PIXELS_PER_INVOCATION inputs and does
// CHANNEL_VECS * PIXELS_PER_INVOCATION vec4 FMAs: register tiling is what keeps a CPU rasteriser (llvmpipe) near
// its FMA throughput; workgroup-memory tiling is slower there.
//
// Weights are re-laid out once per device as [Cin][KH][KW][CoutP] (Cout padded with zeros to whole tiles of
// 4 * CHANNEL_VECS), so each 4 filters of a tile are one aligned vec4, followed by the CoutP biases: one binding
// for both leaves compatibility mode's fourth storage slot to the residual. POINTWISE (1x1, stride 1, no
// padding) skips the window maths. RESIDUAL adds a same-shape tensor before the activation (a fused skip Add).
// engine/ops/conv.ts (CONV2D_TILED) declares the bindings input, weights (vec4), residual, output, Params, and
// the tile as the consts PIXELS_PER_INVOCATION and CHANNEL_VECS.

override POINTWISE: bool;
override RESIDUAL: bool;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let pixels = params.out_h * params.out_w;
  let pixel_tiles = (pixels + PIXELS_PER_INVOCATION - 1u) / PIXELS_PER_INVOCATION;
  // Weight rows hold vec4_blocks vec4s; an invocation takes CHANNEL_VECS of them (rows are padded to fit).
  let vec4_blocks = (params.out_c + 4u * CHANNEL_VECS - 1u) / (4u * CHANNEL_VECS) * CHANNEL_VECS;
  let channel_blocks = vec4_blocks / CHANNEL_VECS;
  if (id >= params.batch * channel_blocks * pixel_tiles) { return; }
  // Pixel tiles vary fastest: neighbouring invocations share the weight vec4 and read adjacent input.
  let pt = id % pixel_tiles;
  let cb = (id / pixel_tiles) % channel_blocks;
  let n = id / (pixel_tiles * channel_blocks);
  let p0 = pt * PIXELS_PER_INVOCATION;
  let in_plane = params.in_h * params.in_w;
  let in_base = n * params.in_c * in_plane;

  var acc: array<array<vec4<f32>, PIXELS_PER_INVOCATION>, CHANNEL_VECS>;
  // Top-left input coordinate of each pixel's window; pixels past the plane are clamped and never stored.
  var iy0: array<i32, PIXELS_PER_INVOCATION>;
  var ix0: array<i32, PIXELS_PER_INVOCATION>;
  for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) {
    let p = min(p0 + j, pixels - 1u);
    iy0[j] = i32((p / params.out_w) * params.stride_h) - i32(params.pad_top);
    ix0[j] = i32((p % params.out_w) * params.stride_w) - i32(params.pad_left);
    for (var v = 0u; v < CHANNEL_VECS; v++) { acc[v][j] = vec4<f32>(0.0); }
  }
  let wb = cb * CHANNEL_VECS;

  if (POINTWISE) {
    var pixel: array<u32, PIXELS_PER_INVOCATION>;
    for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) { pixel[j] = in_base + min(p0 + j, pixels - 1u); }
    var plane = 0u;
    for (var ci = 0u; ci < params.in_c; ci++) {
      for (var v = 0u; v < CHANNEL_VECS; v++) {
        let w = weights[ci * vec4_blocks + wb + v];
        for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) {
          acc[v][j] += w * input[pixel[j] + plane];
        }
      }
      plane += in_plane;
    }
  } else {
    // Taps outer, channels inner: each pixel's input offset and padding mask depend on the tap only, so they
    // are computed once per tap instead of once per (tap, channel); the channel loop is then loads and FMAs.
    let w_step = params.k_h * params.k_w * vec4_blocks;
    for (var ky = 0u; ky < params.k_h; ky++) {
      for (var kx = 0u; kx < params.k_w; kx++) {
        var offset: array<u32, PIXELS_PER_INVOCATION>;
        var inside: array<bool, PIXELS_PER_INVOCATION>;
        for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) {
          let iy = iy0[j] + i32(ky * params.dilation_h);
          let ix = ix0[j] + i32(kx * params.dilation_w);
          inside[j] = iy >= 0 && iy < i32(params.in_h) && ix >= 0 && ix < i32(params.in_w);
          // Clamped address keeps the load in bounds; the select below zeroes the padding taps.
          offset[j] = in_base + u32(clamp(iy, 0, i32(params.in_h) - 1)) * params.in_w + u32(clamp(ix, 0, i32(params.in_w) - 1));
        }
        var w_row = (ky * params.k_w + kx) * vec4_blocks + wb;
        var plane = 0u;
        for (var ci = 0u; ci < params.in_c; ci++) {
          for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) {
            let xv = select(0.0, input[offset[j] + plane], inside[j]);
            for (var v = 0u; v < CHANNEL_VECS; v++) { acc[v][j] += weights[w_row + v] * xv; }
          }
          w_row += w_step;
          plane += in_plane;
        }
      }
    }
  }

  let out_base = n * params.out_c * pixels;
  let bias_base = params.in_c * params.k_h * params.k_w * vec4_blocks;
  for (var v = 0u; v < CHANNEL_VECS; v++) {
    let b = weights[bias_base + wb + v];
    let co0 = (wb + v) * 4u;
    for (var j = 0u; j < PIXELS_PER_INVOCATION; j++) {
      let p = p0 + j;
      if (p >= pixels) { break; }
      let r = acc[v][j] + b;
      for (var c = 0u; c < 4u; c++) {
        let o = out_base + (co0 + c) * pixels + p;
        if (co0 + c < params.out_c) {
          var y = r[c];
          if (RESIDUAL) { y += residual[o]; }
          output[o] = activate(y);
        }
      }
    }
  }
}
