// z = a OP b with numpy broadcasting: OP 0 add, 1 sub, 2 mul, 3 div, then the fused activation.
// The host collapses the output to at most 6 dims (engine/ops/binary.ts) and passes them right-aligned in
// out_dims (dims 0-3) and out_dims_hi (dims 4-5), with each operand's element strides (0 along broadcast dims).
// BROADCAST 0 means both operands already have the output's shape, so the index needs no arithmetic.
// Bindings: a, b, z, params.

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override OP: u32 = 0u;
override BROADCAST: u32 = 1u;

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    default: { return x + y; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  if (BROADCAST == 0u) {
    z[i] = activate(apply(a[i], b[i]));
    return;
  }
  let dims = array<u32, 6>(params.out_dims.x, params.out_dims.y, params.out_dims.z, params.out_dims.w, params.out_dims_hi.x, params.out_dims_hi.y);
  let sa = array<u32, 6>(params.a_strides.x, params.a_strides.y, params.a_strides.z, params.a_strides.w, params.a_strides_hi.x, params.a_strides_hi.y);
  let sb = array<u32, 6>(params.b_strides.x, params.b_strides.y, params.b_strides.z, params.b_strides.w, params.b_strides_hi.x, params.b_strides_hi.y);
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = 5; d >= 0; d--) {
    let coord = rest % dims[d];
    rest /= dims[d];
    ia += coord * sa[d];
    ib += coord * sb[d];
  }
  z[i] = activate(apply(a[ia], b[ib]));
}
