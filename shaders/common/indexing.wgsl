// shaders/common/indexing.wgsl: walking tensors of any rank up to MAX_RANK. A tensor's dims and element strides
// sit in the uniform block as `Dims` fields (array<vec4<u32>, MAX_RANK / 4>: a uniform array's elements are 16
// bytes apart), with the rank beside them; engine/wgsl/params.ts packs them, the generated part of the module
// declares MAX_RANK and Dims.

fn dim_at(v: Dims, d: u32) -> u32 {
  return v[d / 4u][d % 4u];
}

/** The coordinates of element `i` of a dense tensor of `rank` dims `dims` (row-major, last dim fastest). */
fn coords_of(i: u32, rank: u32, dims: Dims) -> array<u32, MAX_RANK> {
  var c: array<u32, MAX_RANK>;
  var rest = i;
  for (var d = rank; d > 0u; d--) {
    let n = dim_at(dims, d - 1u);
    c[d - 1u] = rest % n;
    rest /= n;
  }
  return c;
}

/** The element offset of coordinates `c` in a tensor laid out with `strides` (0 along broadcast dims). */
fn offset_at(c: array<u32, MAX_RANK>, rank: u32, strides: Dims) -> u32 {
  var offset = 0u;
  for (var d = 0u; d < rank; d++) { offset += c[d] * dim_at(strides, d); }
  return offset;
}
