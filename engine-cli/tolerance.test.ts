import { describe, expect, it } from 'vitest';
import { ATOL, RTOL, firstMismatch, maxAbsDiff, withinTolerance } from './tolerance.ts';

describe('tolerance', () => {
  it('should accept |got - want| <= 1e-4 + 1e-3 * |want| and nothing more', () => {
    expect(ATOL).toBe(1e-4);
    expect(RTOL).toBe(1e-3);
    expect(withinTolerance(1 + 1.09e-3, 1)).toBe(true);
    expect(withinTolerance(1 + 1.11e-3, 1)).toBe(false);
    expect(withinTolerance(0.00009, 0)).toBe(true);
    expect(withinTolerance(0.00011, 0)).toBe(false);
    expect(withinTolerance(-1000.9, -1000)).toBe(true); // 1e-4 + 1 allowed at |want| = 1000
    expect(withinTolerance(-1001.2, -1000)).toBe(false);
  });

  it('should compare arrays element-wise and reject length mismatches', () => {
    expect(withinTolerance([1, 2, 3], Float32Array.of(1, 2, 3.001))).toBe(true);
    expect(withinTolerance([1, 2, 3], [1, 2.01, 3])).toBe(false);
    expect(withinTolerance([1, 2], [1, 2, 3])).toBe(false);
    expect(firstMismatch([1, 2, 3], [1, 2.01, 3])).toBe(1);
    expect(firstMismatch([1, 2], [1, 2])).toBe(-1);
  });

  it('should treat NaN as matching only NaN and infinities only themselves', () => {
    expect(withinTolerance([NaN, Infinity], [NaN, Infinity])).toBe(true);
    expect(withinTolerance([NaN], [0])).toBe(false);
    expect(withinTolerance([Infinity], [-Infinity])).toBe(false);
    expect(maxAbsDiff([NaN, Infinity], [NaN, Infinity])).toBe(0);
    expect(maxAbsDiff([NaN], [1])).toBe(Infinity);
  });

  it('should report the largest absolute difference', () => {
    expect(maxAbsDiff([1, 2, 3], [1.5, 2, 2])).toBe(1);
    expect(maxAbsDiff([1], [1, 2])).toBe(Infinity);
  });
});
