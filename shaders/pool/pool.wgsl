// shaders/pool/pool.wgsl: MaxPool (POOL_KIND 0) and AveragePool (POOL_KIND 1) over 3-D NCDHW volumes, any kernel,
// stride, dilation and padding (resolved on the host, engine/ops/pool.ts); 2-D pools have depth 1 and 1-D ones
// height 1 too, so the size-1 loops unroll away. One invocation per output element.
// AveragePool's divisor counts the taps inside the input, or with count_include_pad also those in the declared
// pads, but never taps beyond the end pad that only ceil_mode added (as onnxruntime does).
// engine/ops/pool.ts declares the bindings x, y and Params.

override POOL_KIND: u32;
// The window size is a pipeline constant so the tap loops unroll (SqueezeNet has one pool shape).
override KERNEL_D: u32;
override KERNEL_H: u32;
override KERNEL_W: u32;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let out_plane = params.out_h * params.out_w;
  if (id >= params.planes * params.out_d * out_plane) { return; }
  let volume = id / out_plane;
  let plane = volume / params.out_d;
  let p = id % out_plane;
  let z0 = i32((volume % params.out_d) * params.stride_d) - params.pad_front;
  let y0 = i32((p / params.out_w) * params.stride_h) - params.pad_top;
  let x0 = i32((p % params.out_w) * params.stride_w) - params.pad_left;
  let in_d = i32(params.in_d);
  let in_h = i32(params.in_h);
  let in_w = i32(params.in_w);
  let in_plane = params.in_h * params.in_w;
  let base = plane * params.in_d * in_plane;

  var best = -3.4028234663852886e38;
  var sum = 0.0;
  // Most windows lie wholly inside the input: no bounds checks or divisor counting there.
  let z_last = z0 + i32((KERNEL_D - 1u) * params.dilation_d);
  let y_last = y0 + i32((KERNEL_H - 1u) * params.dilation_h);
  let x_last = x0 + i32((KERNEL_W - 1u) * params.dilation_w);
  if (z0 >= 0 && y0 >= 0 && x0 >= 0 && z_last < in_d && y_last < in_h && x_last < in_w) {
    for (var kz = 0u; kz < KERNEL_D; kz++) {
      let slice = base + u32(z0 + i32(kz * params.dilation_d)) * in_plane;
      for (var ky = 0u; ky < KERNEL_H; ky++) {
        let row = slice + u32(y0 + i32(ky * params.dilation_h)) * params.in_w;
        for (var kx = 0u; kx < KERNEL_W; kx++) {
          let v = x[row + u32(x0 + i32(kx * params.dilation_w))];
          best = max(best, v);
          sum += v;
        }
      }
    }
    y[id] = select(best, sum / f32(KERNEL_D * KERNEL_H * KERNEL_W), POOL_KIND == 1u);
    return;
  }
  var inside = 0u;
  var padded = 0u;
  for (var kz = 0u; kz < KERNEL_D; kz++) {
    let iz = z0 + i32(kz * params.dilation_d);
    if (iz >= in_d + params.pad_back) { break; }
    let slice_in = iz >= 0 && iz < in_d;
    for (var ky = 0u; ky < KERNEL_H; ky++) {
      let iy = y0 + i32(ky * params.dilation_h);
      if (iy >= in_h + params.pad_bottom) { break; }
      let row_in = slice_in && iy >= 0 && iy < in_h;
      for (var kx = 0u; kx < KERNEL_W; kx++) {
        let ix = x0 + i32(kx * params.dilation_w);
        if (ix >= in_w + params.pad_right) { break; }
        padded++;
        if (!row_in || ix < 0 || ix >= in_w) { continue; }
        let v = x[base + u32(iz) * in_plane + u32(iy) * params.in_w + u32(ix)];
        best = max(best, v);
        sum += v;
        inside++;
      }
    }
  }
  var r = best;
  if (POOL_KIND == 1u) {
    let count = select(inside, padded, params.count_include_pad != 0u);
    r = sum / f32(max(count, 1u));
  }
  y[id] = r;
}
