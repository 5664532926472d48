// shaders/pool/pool.wgsl: MaxPool (POOL_KIND 0) and AveragePool (POOL_KIND 1) over 2-D NCHW planes, any kernel,
// stride, dilation and padding (resolved on the host, engine/ops/pool.ts). One invocation per output element.
// AveragePool's divisor counts the taps inside the input, or with count_include_pad also those in the declared
// pads, but never taps beyond the end pad that only ceil_mode added (as onnxruntime does).
// engine/ops/pool.ts declares the bindings x, y and Params.

override POOL_KIND: u32;
// The window size is a pipeline constant so the tap loops unroll (SqueezeNet has one pool shape).
override KERNEL_H: u32;
override KERNEL_W: u32;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let out_plane = params.out_h * params.out_w;
  if (id >= params.planes * out_plane) { return; }
  let plane = id / out_plane;
  let p = id % out_plane;
  let y0 = i32((p / params.out_w) * params.stride_h) - params.pad_top;
  let x0 = i32((p % params.out_w) * params.stride_w) - params.pad_left;
  let in_h = i32(params.in_h);
  let in_w = i32(params.in_w);
  let base = plane * params.in_h * params.in_w;

  var best = -3.4028234663852886e38;
  var sum = 0.0;
  // Most windows lie wholly inside the input: no bounds checks or divisor counting there.
  let y_last = y0 + i32((KERNEL_H - 1u) * params.dilation_h);
  let x_last = x0 + i32((KERNEL_W - 1u) * params.dilation_w);
  if (y0 >= 0 && x0 >= 0 && y_last < in_h && x_last < in_w) {
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      let row = base + u32(y0 + i32(ky * params.dilation_h)) * params.in_w;
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        let v = x[row + u32(x0 + i32(kx * params.dilation_w))];
        best = max(best, v);
        sum += v;
      }
    }
    y[id] = select(best, sum / f32(KERNEL_H * KERNEL_W), POOL_KIND == 1u);
    return;
  }
  var inside = 0u;
  var padded = 0u;
  for (var ky = 0u; ky < KERNEL_H; ky++) {
    let iy = y0 + i32(ky * params.dilation_h);
    if (iy >= in_h + params.pad_bottom) { break; }
    let row_in = iy >= 0 && iy < in_h;
    for (var kx = 0u; kx < KERNEL_W; kx++) {
      let ix = x0 + i32(kx * params.dilation_w);
      if (ix >= in_w + params.pad_right) { break; }
      padded++;
      if (!row_in || ix < 0 || ix >= in_w) { continue; }
      let v = x[base + u32(iy) * params.in_w + u32(ix)];
      best = max(best, v);
      sum += v;
      inside++;
    }
  }
  var r = best;
  if (POOL_KIND == 1u) {
    let count = select(inside, padded, params.count_include_pad != 0u);
    r = sum / f32(max(count, 1u));
  }
  y[id] = r;
}
