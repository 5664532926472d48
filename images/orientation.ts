/** @module EXIF orientation (1..8) applied to an RGBA image, so the model sees the photo upright. */

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major RGBA, 4 bytes per pixel. */
  data: Uint8ClampedArray;
}

/** Whole pixels as 32-bit words: one copy per pixel instead of four. */
function words(data: Uint8ClampedArray): Uint32Array {
  const aligned = data.byteOffset % 4 === 0 ? data : new Uint8ClampedArray(data);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
}

/**
 * Returns the image as it should be displayed for the given EXIF orientation: 2 mirror, 3 rotate 180,
 * 4 flip, 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise. 1 and unknown values
 * return the input unchanged.
 */
export function applyOrientation(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation < 2 || orientation > 8) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const src = words(image.data);
  const out = new Uint8ClampedArray(w * h * 4);
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let ox: number;
      let oy: number;
      switch (orientation) {
        case 2: ox = w - 1 - x; oy = y; break;
        case 3: ox = w - 1 - x; oy = h - 1 - y; break;
        case 4: ox = x; oy = h - 1 - y; break;
        case 5: ox = y; oy = x; break;
        case 6: ox = h - 1 - y; oy = x; break;
        case 7: ox = h - 1 - y; oy = w - 1 - x; break;
        default: ox = y; oy = w - 1 - x; break; // 8
      }
      dst[oy * outW + ox] = src[y * w + x];
    }
  }
  return { width: outW, height: outH, data: out };
}
