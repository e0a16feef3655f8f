// GELU's shared pieces (tanh approximation, llm.c operation order). GELU_S = f32(sqrt(2/pi)),
// GELU_C = f32(0.044715), GELU_C3 = f32(3 * 0.044715) are prepended by gelu.ts as bit patterns.

// u = s * (x + 0.044715 x^3), with x^3 formed as ((c * x) * x) * x.
fn gelu_u(x: f32) -> f32 {
  let cube = ((GELU_C * x) * x) * x;
  return GELU_S * (x + cube);
}

// tanh(u) in f32, as close to the correctly rounded value as exp allows, because the reference
// rounds Math.tanh once and then forms 1 + tanh(u): for u << 0 that sum cancels, and a one-ulp
// difference in tanh (WGSL's tanh is not correctly rounded) would become a large relative error
// of gelu. For |u| >= 0.55, tanh|u| = 1 - 2 / (e^(2|u|) + 1): the subtracted term is small and
// accurate to a few of its own ulps, so the final subtraction rounds like the exact value.
// Past |u| = 9.1 the f32 rounding of tanh is exactly ±1 (1 - tanh(9.1) < 2^-25), which also
// keeps exp finite.
fn gelu_tanh(u: f32) -> f32 {
  let a = abs(u);
  if (a > 9.1) {
    return sign(u);
  }
  if (a < 0.55) {
    return tanh(u);
  }
  let t = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
  return select(t, -t, u < 0.0);
}

// 1 / cosh(u)^2 as the reference: f32 cosh squared overflows to inf exactly when cosh(u) >= 2^64,
// and then the result is 0; the clamp keeps cosh finite so no inf is ever formed.
fn gelu_sech2(u: f32) -> f32 {
  let ch = cosh(min(abs(u), 88.0));
  return select(1.0 / (ch * ch), 0.0, ch >= 0x1p64f);
}
