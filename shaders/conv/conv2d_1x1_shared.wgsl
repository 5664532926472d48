// shaders/conv/conv2d_1x1_shared.wgsl: pointwise (1x1, stride 1, no padding) convolution as a GEMM tiled through
// workgroup memory, for hardware GPUs (on CPU rasterisers barriers are coroutine switches and conv2d_tiled.wgsl is
// faster; engine/ops/conv.ts picks).
//
// out[n][co][p] = bias[co] + sum_ci W[ci][co] * x[n][ci][p]. A workgroup owns a TILE x TILE tile of (output
// channels x pixels) and (TILE / 4)^2 threads, each accumulating 4 channels x 4 pixels. Per step of K_STEP input
// channels it stages a K_STEP x TILE slab of weights and of inputs in workgroup memory (each thread loads
// SLAB / WORKGROUP_SIZE of each, consecutive threads consecutive addresses, so loads coalesce), then every thread
// accumulates its 4 x 4 from the slabs.
// Weights are laid out [Cin][Cout] (channels last), followed by the Cout biases (one binding, so the fourth
// storage slot is free for the residual). RESIDUAL adds a same-shape tensor before the activation (a fused skip
// Add). engine/ops/conv.ts (CONV2D_1X1_SHARED) declares the bindings input, weights, residual, output, Params,
// and TILE and K_STEP as consts; WORKGROUP_SIZE is (TILE / 4)^2.

override RESIDUAL: bool;

const SLAB: u32 = K_STEP * TILE;

var<workgroup> weight_slab: array<f32, SLAB>;
var<workgroup> input_slab: array<f32, SLAB>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let wg = linear_workgroup(wid, nwg);
  let pixels = params.out_h * params.out_w;
  let pixel_tiles = (pixels + TILE - 1u) / TILE;
  let channel_tiles = (params.out_c + TILE - 1u) / TILE;
  // Uniform across the workgroup, so no thread skips a barrier.
  if (wg >= params.batch * channel_tiles * pixel_tiles) { return; }
  let pt = wg % pixel_tiles;
  let ct = (wg / pixel_tiles) % channel_tiles;
  let n = wg / (pixel_tiles * channel_tiles);
  let in_base = n * params.in_c * pixels;
  let tx = lid % (TILE / 4u); // 4 pixels
  let ty = lid / (TILE / 4u); // 4 output channels

  var acc: array<vec4<f32>, 4>; // [pixel] -> 4 channels
  for (var k0 = 0u; k0 < params.in_c; k0 += K_STEP) {
    for (var e = lid; e < SLAB; e += WORKGROUP_SIZE) {
      let kk = e / TILE;
      let c = e % TILE;
      let ci = k0 + kk;
      let co = ct * TILE + c;
      let p = pt * TILE + c;
      let w_ok = ci < params.in_c && co < params.out_c;
      let x_ok = ci < params.in_c && p < pixels;
      weight_slab[e] = select(0.0, weights[select(0u, ci * params.out_c + co, w_ok)], w_ok);
      input_slab[e] = select(0.0, input[select(0u, in_base + ci * pixels + p, x_ok)], x_ok);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < K_STEP; kk++) {
      let wrow = kk * TILE + ty * 4u;
      let w = vec4<f32>(weight_slab[wrow], weight_slab[wrow + 1u], weight_slab[wrow + 2u], weight_slab[wrow + 3u]);
      let xrow = kk * TILE + tx * 4u;
      for (var j = 0u; j < 4u; j++) { acc[j] += w * input_slab[xrow + j]; }
    }
    workgroupBarrier();
  }

  let co0 = ct * TILE + ty * 4u;
  let out_base = n * params.out_c * pixels;
  let bias_base = params.in_c * params.out_c;
  for (var j = 0u; j < 4u; j++) {
    let p = pt * TILE + tx * 4u + j;
    if (p >= pixels) { break; }
    for (var c = 0u; c < 4u; c++) {
      let co = co0 + c;
      let o = out_base + co * pixels + p;
      if (co < params.out_c) {
        var y = acc[j][c] + weights[bias_base + co];
        if (RESIDUAL) { y += residual[o]; }
        output[o] = activate(y);
      }
    }
  }
}
