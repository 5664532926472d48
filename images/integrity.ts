/**
 * @module "Is the whole file there?" per format, checked before decoding. Some decoders (mozjpeg in particular)
 * turn a truncated file into a partly grey image with only a warning; a half image must be an error instead.
 */
import { u32be } from './bytes.ts';
import { jpegReachesEoi } from './jpeg-markers.ts';
import type { ImageFormat } from './sniff.ts';

/** PNG: the chunk chain must reach IEND with every chunk inside the file. */
function pngComplete(b: Uint8Array): boolean {
  let p = 8;
  while (p + 12 <= b.length) {
    const length = u32be(b, p);
    const type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    const next = p + 12 + length;
    if (next > b.length) return false;
    if (type === 'IEND') return true;
    p = next;
  }
  return false;
}

/** WebP: the RIFF header states the payload size. */
function webpComplete(b: Uint8Array): boolean {
  if (b.length < 12) return false;
  const riffSize = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
  return b.length >= 8 + riffSize;
}

/** AVIF: the top-level boxes (ftyp, meta, mdat) must tile the file, the last one ending inside it. */
function avifComplete(b: Uint8Array): boolean {
  let p = 0;
  while (p + 8 <= b.length) {
    let size = u32be(b, p);
    if (size === 1) {
      if (p + 16 > b.length) return false;
      size = u32be(b, p + 8) * 2 ** 32 + u32be(b, p + 12);
    } else if (size === 0) {
      return true; // extends to the end of the file by definition
    }
    if (size < 8) return false;
    p += size;
  }
  return p === b.length;
}

/**
 * False when the file is visibly cut short. GIF is not checked here: omggif walks every block when it opens the
 * file and throws on a missing one, which decode.ts reports as truncated.
 */
export function isComplete(bytes: Uint8Array, format: ImageFormat): boolean {
  switch (format) {
    case 'jpeg': return jpegReachesEoi(bytes);
    case 'png': return pngComplete(bytes);
    case 'webp': return webpComplete(bytes);
    case 'avif': return avifComplete(bytes);
    case 'gif': return true;
  }
}
