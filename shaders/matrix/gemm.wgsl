// shaders/matrix/gemm.wgsl: Y = activate(alpha * A x B + beta * C) for Gemm and (batched) MatMul. Each invocation
// computes a register tile of TILE_ROWS (1..MAX_TILE_ROWS) rows x TILE_COLS (one vec4) columns: per k it loads
// TILE_ROWS values of A and 4 of B for 4 * TILE_ROWS multiply-adds, which on a CPU rasteriser beats any
// workgroup-memory scheme.
// Operands are read through element strides, so transposes cost nothing (engine/ops/gemm.ts sets them), and
// batches through per-dim batch strides (0 where a batch dim broadcasts) with the shared index helper. Y is dense
// [batch][m][y_cols], this dispatch writing columns n_offset..n_offset+n: a B over the binding limit is split
// into column blocks, one dispatch each (engine/ops/gemm.ts); C is indexed by the global column. HAS_C 0 leaves the C binding unread (the host binds a dummy buffer).
// engine/ops/gemm.ts declares the bindings a, b, c, y, Params and the tile consts.

override TILE_ROWS: u32;
override HAS_C: u32;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  let tiles_n = (params.n + TILE_COLS - 1u) / TILE_COLS;
  let tiles_m = (params.m + TILE_ROWS - 1u) / TILE_ROWS;
  if (id >= params.batch * tiles_m * tiles_n) { return; }
  let tn = id % tiles_n;
  let tm = (id / tiles_n) % tiles_m;
  let bi = id / (tiles_n * tiles_m);

  let batch = coords_of(bi, params.batch_rank, params.batch_dims);
  let a_base = offset_at(batch, params.batch_rank, params.a_batch_strides);
  let b_base = offset_at(batch, params.batch_rank, params.b_batch_strides);

  let row0 = tm * TILE_ROWS;
  let col0 = tn * TILE_COLS;
  // Edge tiles read the last row/column again instead of out of bounds; those results are not written.
  var a_off: array<u32, MAX_TILE_ROWS>;
  for (var i = 0u; i < TILE_ROWS; i++) { a_off[i] = a_base + min(row0 + i, params.m - 1u) * params.a_stride_m; }
  var b_off: vec4<u32>;
  for (var j = 0u; j < TILE_COLS; j++) { b_off[j] = b_base + min(col0 + j, params.n - 1u) * params.b_stride_n; }

  var acc: array<vec4<f32>, MAX_TILE_ROWS>;
  for (var kk = 0u; kk < params.k; kk++) {
    let bk = b_off + vec4<u32>(kk * params.b_stride_k);
    let bv = vec4<f32>(b[bk.x], b[bk.y], b[bk.z], b[bk.w]);
    let ak = kk * params.a_stride_k;
    for (var i = 0u; i < TILE_ROWS; i++) { acc[i] += a[a_off[i] + ak] * bv; }
  }

  let y_base = bi * params.m * params.y_cols + params.n_offset;
  for (var i = 0u; i < TILE_ROWS; i++) {
    let row = row0 + i;
    if (row >= params.m) { break; }
    for (var j = 0u; j < TILE_COLS; j++) {
      let col = col0 + j;
      if (col >= params.n) { break; }
      var v = params.alpha * acc[i][j];
      if (HAS_C != 0u) { v += params.beta * c[row * params.c_stride_m + (params.n_offset + col) * params.c_stride_n]; }
      y[y_base + row * params.y_cols + col] = activate(v);
    }
  }
}
