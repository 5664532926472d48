// shaders/movement/pad.wgsl: Pad (modes constant, edge, reflect, wrap) and Tile (wrap with nothing before).
// Output coordinate c reads input coordinate c - begin along each dim; one that falls outside [0, n) is the
// constant, or mapped back inside by the mode. `begin` arrives as u32 two's complement: a negative pad crops.
// Pad's constant is params.value, or with VALUE_AT_RUN_TIME the one element of the `value` binding (a value
// computed at run time). engine/ops/pad.ts declares the bindings x, value, y and Params, and holds the same
// mapping for constant folding.

override VALUE_AT_RUN_TIME: bool;

const MODE_CONSTANT: u32 = 0u;
const MODE_EDGE: u32 = 1u;
const MODE_REFLECT: u32 = 2u;

fn inside(j: i32, n: i32) -> i32 {
  if (params.mode == MODE_EDGE) { return clamp(j, 0, n - 1); }
  if (params.mode == MODE_REFLECT) {
    if (n == 1) { return 0; }
    // Mirror without repeating the edge: period 2(n - 1).
    let p = 2 * (n - 1);
    let r = ((j % p) + p) % p;
    return select(r, p - r, r >= n);
  }
  return ((j % n) + n) % n; // wrap
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let c = coords_of(i, params.rank, params.out_dims);
  var at = 0u;
  for (var d = 0u; d < params.rank; d++) {
    let n = i32(dim_at(params.in_dims, d));
    var j = i32(c[d]) - bitcast<i32>(dim_at(params.begin, d));
    if (j < 0 || j >= n) {
      if (params.mode == MODE_CONSTANT) {
        y[i] = select(params.value, value[0], VALUE_AT_RUN_TIME);
        return;
      }
      j = inside(j, n);
    }
    at = at * u32(n) + u32(j);
  }
  y[i] = x[at];
}
