/**
 * @module The accuracy rule every comparison against a reference (ONNX backend-test outputs, onnxruntime)
 * uses: |got - want| <= ATOL + RTOL * |want|, element-wise. One definition so the CLI, the unit tests and
 * the bench agree on what "matches" means.
 */

export const ATOL = 1e-4;
export const RTOL = 1e-3;

/** One element. NaN matches NaN (as numpy's allclose with equal_nan); infinities must match exactly. */
function elementOk(got: number, want: number): boolean {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got);
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want;
  return Math.abs(got - want) <= ATOL + RTOL * Math.abs(want);
}

/** True when every element is within tolerance; arrays of different lengths never match. */
export function withinTolerance(got: number | ArrayLike<number>, want: number | ArrayLike<number>): boolean {
  if (typeof got === 'number' || typeof want === 'number') {
    return typeof got === 'number' && typeof want === 'number' && elementOk(got, want);
  }
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) if (!elementOk(got[i], want[i])) return false;
  return true;
}

/** Largest |got - want| (NaN against NaN counts 0, NaN against a number Infinity); Infinity on a length mismatch. */
export function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let max = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(g) || Number.isNaN(w)) {
      if (Number.isNaN(g) !== Number.isNaN(w)) return Infinity;
      continue;
    }
    const d = g === w ? 0 : Math.abs(g - w); // equal infinities differ by 0, not NaN
    if (d > max) max = d;
  }
  return max;
}

/** Index of the first element outside tolerance, or -1; for failure messages. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): number {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) if (!elementOk(got[i], want[i])) return i;
  return got.length === want.length ? -1 : n;
}
