import { describe, expect, it } from 'vitest';
import { windowGeometry, type WindowAttributes } from './window.ts';

const base: WindowAttributes = { kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], autoPad: 'NOTSET', ceilMode: false };

describe('windowGeometry', () => {
  it('should compute floor output sizes with explicit pads', () => {
    // (224 + 0 - 3) / 2 + 1 = 111 (SqueezeNet 1.1 conv1)
    expect(windowGeometry([224, 224], { ...base, strides: [2, 2] }).output).toEqual([111, 111]);
    // (224 + 3 + 3 - 7)/2 + 1 = 112
    expect(windowGeometry([224, 224], { ...base, kernel: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3] }).output).toEqual([112, 112]);
  });
  it('should round up with ceil_mode and drop a window that starts in the padding', () => {
    // 110: (110-3)/2 = 53.5 -> floor 54, ceil 55
    expect(windowGeometry([110], { ...base, kernel: [3], strides: [2], dilations: [1], pads: [0, 0], ceilMode: true }).output).toEqual([55]);
    expect(windowGeometry([110], { ...base, kernel: [3], strides: [2], dilations: [1], pads: [0, 0] }).output).toEqual([54]);
    // in=4, k=2, s=2, pad end 1: ceil((4+1-2)/2)+1 = 3, but the 3rd window starts at 4 >= in + pb -> 2
    expect(windowGeometry([4], { ...base, kernel: [2], strides: [2], dilations: [1], pads: [0, 1], ceilMode: true }).output).toEqual([3 - 1]);
  });
  it('should split SAME padding with the odd pixel at the end (UPPER) or begin (LOWER)', () => {
    const upper = windowGeometry([5], { ...base, kernel: [4], strides: [1], dilations: [1], autoPad: 'SAME_UPPER' });
    expect(upper).toEqual({ output: [5], pads: [1, 2] });
    const lower = windowGeometry([5], { ...base, kernel: [4], strides: [1], dilations: [1], autoPad: 'SAME_LOWER' });
    expect(lower).toEqual({ output: [5], pads: [2, 1] });
    expect(windowGeometry([7], { ...base, kernel: [3], strides: [2], dilations: [1], autoPad: 'SAME_UPPER' }).output).toEqual([4]);
  });
  it('should account for dilation and VALID padding', () => {
    // effective kernel 5: (10-5)/1+1 = 6
    expect(windowGeometry([10], { ...base, kernel: [3], strides: [1], dilations: [2], autoPad: 'VALID' })).toEqual({ output: [6], pads: [0, 0] });
  });
});
