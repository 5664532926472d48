// shaders/reduce/reduce.wgsl: ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSum/LogSumExp (REDUCE_KIND, see
// engine/ops/reduce.ts KINDS). The host collapses the input into kept dims (params.kept_dims, strides
// params.kept_strides) and reduced dims (params.red_dims, params.red_strides), each group of rank <= MAX_RANK;
// output element i is the reduction over the params.count elements of its group. CONTIGUOUS 1 means the reduced
// elements of an output are params.count consecutive floats (the zoo's ReduceMean over H, W of NCHW), so the
// offset needs no index arithmetic. Two ways, as shaders/pool/global_pool.wgsl (engine/ops/reduce.ts picks):
// `output_per_workgroup` splits one output's elements across a workgroup, `output_per_invocation` gives each
// thread a whole output.

override REDUCE_KIND: u32;
override CONTIGUOUS: u32;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn initial() -> f32 {
  switch REDUCE_KIND {
    case 2u: { return -3.4028234663852886e38; }
    case 3u: { return 3.4028234663852886e38; }
    case 4u: { return 1.0; }
    default: { return 0.0; }
  }
}

// The element as it enters the reduction: |x| for L1, x^2 for L2 and SumSquare, e^x for LogSumExp.
fn lift(v: f32) -> f32 {
  switch REDUCE_KIND {
    case 5u: { return abs(v); }
    case 6u, 7u: { return v * v; }
    case 9u: { return exp(v); }
    default: { return v; }
  }
}

fn combine(a: f32, b: f32) -> f32 {
  switch REDUCE_KIND {
    case 2u: { return max(a, b); }
    case 3u: { return min(a, b); }
    case 4u: { return a * b; }
    default: { return a + b; }
  }
}

fn finish(acc: f32) -> f32 {
  switch REDUCE_KIND {
    case 1u: { return acc / f32(params.count); }
    case 6u: { return sqrt(acc); }
    case 8u, 9u: { return log(acc); }
    default: { return acc; }
  }
}

fn base_of(out: u32) -> u32 {
  return offset_at(coords_of(out, params.kept_rank, params.kept_dims), params.kept_rank, params.kept_strides);
}

fn element(base: u32, j: u32) -> f32 {
  if (CONTIGUOUS == 1u) { return x[base + j]; }
  return x[base + offset_at(coords_of(j, params.red_rank, params.red_dims), params.red_rank, params.red_strides)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn output_per_workgroup(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // The output index is uniform across the workgroup, so the early return keeps barriers in uniform control flow.
  let out = linear_workgroup(wid, nwg);
  if (out >= params.outputs) { return; }
  let base = base_of(out);
  var acc = initial();
  for (var j = lid; j < params.count; j += WORKGROUP_SIZE) {
    acc = combine(acc, lift(element(base, j)));
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] = combine(partial[lid], partial[lid + stride]); }
    workgroupBarrier();
  }
  if (lid == 0u) { y[out] = finish(partial[0]); }
}

// Small reductions, and CPU rasterisers, where a barrier switches between coroutines.
@compute @workgroup_size(WORKGROUP_SIZE)
fn output_per_invocation(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let out = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (out >= params.outputs) { return; }
  let base = base_of(out);
  var acc = initial();
  for (var j = 0u; j < params.count; j++) {
    acc = combine(acc, lift(element(base, j)));
  }
  y[out] = finish(acc);
}
