/**
 * @module A JPEG marker walker and the three things we read with it: the frame header (dimensions, component
 * count), the EXIF orientation, and whether the file reaches its EOI marker. mozjpeg decodes a truncated file
 * into a half-grey image with only a warning, so completeness is checked here, before decoding.
 */

interface JpegSegment {
  marker: number;
  /** First payload byte, after the 2-byte length. */
  start: number;
  /** One past the last payload byte. */
  end: number;
}

type JpegWalkEnd = 'eoi' | 'truncated' | 'stopped';

const SOS = 0xda;
const EOI = 0xd9;
const APP1 = 0xe1;

function isRst(marker: number): boolean {
  return marker >= 0xd0 && marker <= 0xd7;
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Index of the next marker's 0xFF inside entropy-coded data (skips FF00 stuffing and RSTn), or -1. */
function skipEntropyCoded(b: Uint8Array, from: number): number {
  let p = from;
  for (;;) {
    p = b.indexOf(0xff, p);
    if (p < 0 || p + 1 >= b.length) return -1;
    const next = b[p + 1];
    if (next === 0 || next === 0xff || isRst(next)) {
      p += next === 0xff ? 1 : 2;
      continue;
    }
    return p;
  }
}

/**
 * Calls `visit` for each marker segment after SOI (EOI included, with an empty payload); `visit` returns true to
 * stop. Returns how the walk ended: at EOI, by running out of bytes (truncated), or stopped by `visit`.
 */
function walkJpeg(b: Uint8Array, visit: (segment: JpegSegment) => boolean): JpegWalkEnd {
  let p = 2;
  for (;;) {
    // Bytes between segments are corrupt; libjpeg skips them too ("extraneous bytes before marker").
    p = b.indexOf(0xff, p);
    if (p < 0) return 'truncated';
    while (p < b.length && b[p] === 0xff) p++;
    if (p >= b.length) return 'truncated';
    const marker = b[p++];
    if (marker === 0) continue;
    if (marker === EOI) {
      visit({ marker, start: p, end: p });
      return 'eoi';
    }
    if (marker === 0x01 || isRst(marker)) continue;
    if (p + 2 > b.length) return 'truncated';
    const length = (b[p] << 8) | b[p + 1];
    const end = p + length;
    if (length < 2 || end > b.length) return 'truncated';
    if (visit({ marker, start: p + 2, end })) return 'stopped';
    p = end;
    if (marker === SOS) {
      p = skipEntropyCoded(b, p);
      if (p < 0) return 'truncated';
    }
  }
}

export interface JpegFrameHeader {
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  progressive: boolean;
}

/** The SOFn header, or null when the walk ends (EOI or truncation) before one. */
export function readJpegFrameHeader(b: Uint8Array): JpegFrameHeader | null {
  let frame: JpegFrameHeader | null = null;
  walkJpeg(b, ({ marker, start, end }) => {
    if (marker === SOS) return true; // a scan before any frame header: malformed, stop looking
    if (!isStartOfFrame(marker) || end - start < 6) return false;
    frame = {
      height: (b[start + 1] << 8) | b[start + 2],
      width: (b[start + 3] << 8) | b[start + 4],
      components: b[start + 5],
      progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
    };
    return true;
  });
  return frame;
}

/** True when the marker structure runs through every scan to EOI (trailing bytes after EOI are allowed). */
export function jpegReachesEoi(b: Uint8Array): boolean {
  return walkJpeg(b, () => false) === 'eoi';
}

/** The EXIF Orientation tag (0x0112) of IFD0, 1..8; 1 when absent or unreadable. */
export function readJpegOrientation(b: Uint8Array): number {
  let orientation = 1;
  walkJpeg(b, ({ marker, start, end }) => {
    if (marker === SOS || isStartOfFrame(marker)) return true; // EXIF precedes the image data
    if (marker !== APP1) return false;
    const found = orientationFromExif(b.subarray(start, end));
    if (found !== null) {
      orientation = found;
      return true;
    }
    return false;
  });
  return orientation;
}

/** Parses an APP1 payload: "Exif\0\0", then a TIFF header and IFD0. */
function orientationFromExif(app1: Uint8Array): number | null {
  if (app1.length < 14 || String.fromCharCode(...app1.subarray(0, 6)) !== 'Exif\0\0') return null;
  const tiff = app1.subarray(6);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return null;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.getUint16(2, little) !== 42) return null;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return null;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (view.getUint16(entry, little) !== 0x0112) continue;
    // SHORT (type 3), count 1: the value sits left-aligned in the 4-byte value field.
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : null;
  }
  return null;
}
