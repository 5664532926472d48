// shaders/image/normalize_image.wgsl: an RGB crop of bytes (uint8 [N, H, W, 3], packed four to a u32 word,
// little-endian) to the model's float input, y = byte * mul[c] + add[c], written NCHW (planar) or NHWC.
// The bindings (x, y), the Params struct and WORKGROUP_SIZE come from engine/ops/normalize-image.ts.
// One thread per output element: a thread reads the word holding its byte, so neighbours read the same words
// (cached), and no thread writes more than its own float.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  var c: u32;
  var src: u32;
  if (params.planar == 1u) {
    // y[n][c][p] with p = row * W + column: its byte is pixel (n, p), channel c.
    let p = i % params.pixels;
    let nc = i / params.pixels;
    c = nc % 3u;
    src = ((nc / 3u) * params.pixels + p) * 3u + c;
  } else {
    c = i % 3u;
    src = i;
  }
  let byte = (x[src >> 2u] >> ((src & 3u) * 8u)) & 0xffu;
  y[i] = f32(byte) * params.mul[c] + params.add[c];
}
