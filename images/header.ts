/**
 * @module Image dimensions read from the header alone, so an image over the pixel cap is refused before the
 * decoder allocates its RGBA buffer (a 100 KB PNG may declare 100000x100000 pixels).
 */
import { fourcc, u24le, u32be } from './bytes.ts';
import { ImageError } from './errors.ts';
import { readJpegFrameHeader } from './jpeg-markers.ts';
import type { ImageFormat } from './sniff.ts';

export interface ImageSize {
  width: number;
  height: number;
}

function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function truncatedHeader(format: ImageFormat): ImageError {
  return new ImageError('truncated_image', `The ${format.toUpperCase()} file ends inside its header; upload the complete file.`);
}
function badHeader(format: ImageFormat, what: string): ImageError {
  return new ImageError('undecodable_image', `The ${format.toUpperCase()} header is invalid (${what}); re-save the image and upload it again.`);
}

function pngSize(b: Uint8Array): ImageSize {
  if (b.length < 24) throw truncatedHeader('png');
  if (fourcc(b, 12) !== 'IHDR') throw badHeader('png', 'the first chunk is not IHDR');
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

function gifSize(b: Uint8Array): ImageSize {
  if (b.length < 10) throw truncatedHeader('gif');
  return { width: u16le(b, 6), height: u16le(b, 8) };
}

function jpegSize(b: Uint8Array): ImageSize {
  const frame = readJpegFrameHeader(b);
  if (!frame) throw truncatedHeader('jpeg');
  return { width: frame.width, height: frame.height };
}

function webpSize(b: Uint8Array): ImageSize {
  if (b.length < 30) throw truncatedHeader('webp');
  const chunk = fourcc(b, 12);
  if (chunk === 'VP8 ') {
    // Lossy key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (2 scale bits above).
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw badHeader('webp', 'no VP8 key frame start code');
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw badHeader('webp', 'no VP8L signature');
    const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  throw badHeader('webp', `unknown first chunk "${chunk}"`);
}

interface Box {
  type: string;
  /** First byte after the box header. */
  start: number;
  end: number;
}

/** ISO-BMFF child boxes of [from, to); stops at a box that runs past `to` (truncated file). */
function boxes(b: Uint8Array, from: number, to: number): { list: Box[]; truncated: boolean } {
  const list: Box[] = [];
  let p = from;
  while (p + 8 <= to) {
    let size = u32be(b, p);
    let header = 8;
    if (size === 1) {
      if (p + 16 > to) return { list, truncated: true };
      size = u32be(b, p + 8) * 2 ** 32 + u32be(b, p + 12);
      header = 16;
    } else if (size === 0) {
      size = to - p;
    }
    if (size < header) return { list, truncated: false };
    if (p + size > to) return { list, truncated: true };
    list.push({ type: fourcc(b, p + 4), start: p + header, end: p + size });
    p += size;
  }
  return { list, truncated: p !== to };
}

/**
 * AVIF: the `ispe` (image spatial extent) properties in meta/iprp/ipco. The largest one is taken: a grid image's
 * own extent is the canvas the decoder allocates, and taking the maximum never under-counts.
 */
function avifSize(b: Uint8Array): ImageSize {
  const top = boxes(b, 0, b.length);
  const meta = top.list.find((x) => x.type === 'meta');
  if (!meta) throw top.truncated ? truncatedHeader('avif') : badHeader('avif', 'no meta box');
  const iprp = boxes(b, meta.start + 4, meta.end).list.find((x) => x.type === 'iprp');
  const ipco = iprp && boxes(b, iprp.start, iprp.end).list.find((x) => x.type === 'ipco');
  const ispe = ipco ? boxes(b, ipco.start, ipco.end).list.filter((x) => x.type === 'ispe' && x.end - x.start >= 12) : [];
  if (ispe.length === 0) throw badHeader('avif', 'no ispe property');
  let best: ImageSize = { width: 0, height: 0 };
  for (const box of ispe) {
    const size = { width: u32be(b, box.start + 4), height: u32be(b, box.start + 8) };
    if (size.width * size.height > best.width * best.height) best = size;
  }
  return best;
}

/** Width and height as the header declares them; throws ImageError when the header is short or invalid. */
export function readImageSize(bytes: Uint8Array, format: ImageFormat): ImageSize {
  let size: ImageSize;
  switch (format) {
    case 'png': size = pngSize(bytes); break;
    case 'gif': size = gifSize(bytes); break;
    case 'jpeg': size = jpegSize(bytes); break;
    case 'webp': size = webpSize(bytes); break;
    case 'avif': size = avifSize(bytes); break;
  }
  if (size.width === 0 || size.height === 0) throw badHeader(format, `it declares ${size.width}x${size.height} pixels`);
  return size;
}
