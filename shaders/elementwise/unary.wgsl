// shaders/elementwise/unary.wgsl: y = activate(f(x)) elementwise. UNARY_OP picks f (engine/ops/unary.ts MATH:
// 0 identity, for the activation ops, then Abs, Neg, Floor, Ceil, Sqrt, Exp, Log, Reciprocal, Tanh, Erf,
// Softplus, Softsign, Elu, Selu, HardSigmoid with OP_ALPHA / OP_BETA); the shared activation helper
// (shaders/common/activation.wgsl) applies Relu, LeakyRelu, Clip or Sigmoid. Both are pipeline constants, so one
// op compiles to its own few instructions. engine/ops/unary.ts also declares the bindings x, y and Params.

override UNARY_OP: u32;
override OP_ALPHA: f32;
override OP_BETA: f32;

// Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7): WGSL has no erf.
fn erf_approx(v: f32) -> f32 {
  let a = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(v) * (1.0 - poly * exp(-a * a));
}

fn apply(v: f32) -> f32 {
  switch UNARY_OP {
    case 1u: { return abs(v); }
    case 2u: { return -v; }
    case 3u: { return floor(v); }
    case 4u: { return ceil(v); }
    case 5u: { return sqrt(v); }
    case 6u: { return exp(v); }
    case 7u: { return log(v); }
    case 8u: { return 1.0 / v; }
    // tanh from exp(-2|x|): the builtin overflows to NaN for large |x| on some drivers.
    case 9u: { let e = exp(-2.0 * abs(v)); return sign(v) * (1.0 - e) / (1.0 + e); }
    case 10u: { return erf_approx(v); }
    // log(1 + e^x) without overflow for large x.
    case 11u: { return max(v, 0.0) + log(1.0 + exp(-abs(v))); }
    case 12u: { return v / (1.0 + abs(v)); }
    case 13u: { return select(OP_ALPHA * (exp(v) - 1.0), v, v >= 0.0); }
    case 14u: { return OP_BETA * select(OP_ALPHA * (exp(v) - 1.0), v, v > 0.0); }
    case 15u: { return clamp(OP_ALPHA * v + OP_BETA, 0.0, 1.0); }
    default: { return v; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  y[i] = activate(apply(x[i]));
}
