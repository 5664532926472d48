// Pointwise (1x1, stride 1, no padding) convolution as a GEMM tiled through workgroup memory, for hardware GPUs
// (on CPU rasterisers barriers are coroutine switches and conv2d_tiled.wgsl is faster; engine/ops/conv.ts picks).
//
// out[n][co][p] = bias[co] + sum_ci W[ci][co] * x[n][ci][p]. A workgroup of 64 threads owns a 32x32 tile of
// (output channels x pixels). Per step of 8 input channels it stages an 8x32 slab of weights and of inputs in
// workgroup memory (each thread loads 4 of each, consecutive threads consecutive addresses, so loads coalesce),
// then every thread accumulates its 4 channels x 4 pixels from the slabs.
// Weights are laid out [Cin][CoutP] (channels last, CoutP = Cout rounded up to 4) as for the tiled kernel.
// Bindings: input, weights, bias, output, params (Params is generated from engine/ops/conv.ts).

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const TILE: u32 = 32u;
const K_STEP: u32 = 8u;
const SLAB: u32 = 256u; // K_STEP * TILE

var<workgroup> weight_slab: array<f32, SLAB>;
var<workgroup> input_slab: array<f32, SLAB>;

@compute @workgroup_size(64)
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
  let cout_padded = (params.out_c + 3u) / 4u * 4u;
  let in_base = n * params.in_c * pixels;
  let tx = lid % 8u; // 4 pixels
  let ty = lid / 8u; // 4 output channels

  var acc: array<vec4<f32>, 4>; // [pixel] -> 4 channels
  for (var k0 = 0u; k0 < params.in_c; k0 += K_STEP) {
    for (var i = 0u; i < 4u; i++) {
      let e = i * 64u + lid;
      let kk = e / TILE;
      let c = e % TILE;
      let ci = k0 + kk;
      let co = ct * TILE + c;
      let p = pt * TILE + c;
      let w_ok = ci < params.in_c && co < params.out_c;
      let x_ok = ci < params.in_c && p < pixels;
      weight_slab[e] = select(0.0, weights[select(0u, ci * cout_padded + co, w_ok)], w_ok);
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
  for (var j = 0u; j < 4u; j++) {
    let p = pt * TILE + tx * 4u + j;
    if (p >= pixels) { break; }
    for (var c = 0u; c < 4u; c++) {
      let co = co0 + c;
      if (co < params.out_c) { output[out_base + co * pixels + p] = activate(acc[j][c] + bias[co]); }
    }
  }
}
