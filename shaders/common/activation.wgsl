// shaders/common/activation.wgsl: the activation fused into the producing kernel. ACTIVATION is a pipeline
// constant, so the compiler drops the unused branches: 0 none, 1 relu, 2 leaky relu (ACT_ALPHA), 3 clip
// (ACT_MIN..ACT_MAX), 4 sigmoid (engine/ops/common.ts activationConstants).
override ACTIVATION: u32;
override ACT_ALPHA: f32;
override ACT_MIN: f32;
override ACT_MAX: f32;

fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(x, 0.0); }
    case 2u: { return select(x * ACT_ALPHA, x, x >= 0.0); }
    case 3u: { return clamp(x, ACT_MIN, ACT_MAX); }
    case 4u: { return 1.0 / (1.0 + exp(-x)); }
    default: { return x; }
  }
}

fn activate4(v: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(activate(v.x), activate(v.y), activate(v.z), activate(v.w));
}
