/**
 * @module Bytes of a sniffed format to the pixels the resize reads (a PixelSource). JPEG goes through our
 * libjpeg-turbo build at the DCT scale PIL's draft mode picks, keeping only the rectangle the crop reads, its
 * EXIF orientation applied by addressing (jpeg-decoder.ts, preprocess.ts). PNG, WebP and AVIF go through the
 * @jsquash WebAssembly codecs (an animated WebP by its first frame), GIF (first frame) through omggif, to full
 * RGBA composited on white in place. Every failure becomes an ImageError: truncated input is `truncated_image`
 * (checked before decoding, so a half image is never returned), anything else the decoder rejects is
 * `undecodable_image`.
 */
import { GifReader } from 'omggif';
import { decodeAvifRgba, decodePng16To8, decodeWebpRgba, withPngRgba } from './codecs.ts';
import { ImageError } from './errors.ts';
import { isComplete } from './integrity.ts';
import { JPEG_COEFFICIENT_BYTES } from './constants.ts';
import { decodeJpegScaled, isWasmTrap, LibJpegError, type JpegHeader } from './jpeg-decoder.ts';
import { readJpegFrameHeader, readJpegOrientation } from './jpeg-markers.ts';
import { planCrop, storedWindow, uprightSize, ZOO_CROP, type CropSpec, type PixelSource } from './preprocess.ts';
import type { ImageFormat } from './sniff.ts';
import { webpFirstFrame } from './webp-animation.ts';

/** Row-major RGBA, 4 bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface DecodedImage {
  /** Upright size of the image at full resolution. */
  width: number;
  height: number;
  /**
   * The pixels the resize reads: for JPEG DCT-scaled RGB of a region, with the EXIF orientation; for the others
   * the whole image as RGBA, alpha not yet composited (compositeOnWhite).
   */
  source: PixelSource;
  /** Decoder warnings the decode survived (libjpeg's). */
  warnings: string[];
}

function truncated(format: ImageFormat): ImageError {
  return new ImageError('truncated_image', `The ${format.toUpperCase()} file is cut short (the upload may have been interrupted); upload the complete file.`);
}

function undecodable(format: ImageFormat, cause: unknown): ImageError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new ImageError('undecodable_image', `The file looks like ${format.toUpperCase()} but could not be decoded${detail}; re-save it as a standard JPEG or PNG and try again.`, { cause });
}

/**
 * PIL's draft(): the largest of 1/8, 1/4, 1/2, 1 that still leaves both sides >= `target` (floor(side / target)
 * >= denominator), so the scaled shorter side stays >= the resize target.
 */
export function draftScale(width: number, height: number, target: number): number {
  const fits = Math.min(Math.floor(width / target), Math.floor(height / target));
  return [8, 4, 2, 1].find((d) => fits >= d) ?? 1;
}

/** 413 for a progressive/multi-scan JPEG whose whole-image coefficient buffer is over the budget. */
function checkCoefficients(header: JpegHeader): void {
  if (header.coefficientBytes <= JPEG_COEFFICIENT_BYTES) return;
  const mp = (header.width * header.height) / 1e6;
  const fitting = (JPEG_COEFFICIENT_BYTES / header.coefficientBytes) * mp;
  throw new ImageError('image_too_large', `The image is a ${header.width}x${header.height} progressive (multi-scan) JPEG; decoding one holds all of it in memory, and with this file's colour sampling at most ${fitting.toFixed(1)} megapixels fit the ${JPEG_COEFFICIENT_BYTES / 2 ** 20} MiB limit. Save it as a baseline JPEG or downscale it and try again.`);
}

function decodeJpeg(bytes: Uint8Array, spec: CropSpec): DecodedImage {
  const frame = readJpegFrameHeader(bytes);
  // libjpeg cannot convert CMYK/YCCK to RGB, and guessing the ink profile would give wrong colours anyway.
  if (frame && frame.components === 4) {
    throw new ImageError('undecodable_image', 'CMYK JPEGs (print colour) are not supported; convert the image to RGB (sRGB) and upload it again.');
  }
  const orientation = readJpegOrientation(bytes);
  let region: PixelSource['region'];
  let upright = { width: 0, height: 0 };
  const scaled = decodeJpegScaled(bytes, {
    scale(header) {
      checkCoefficients(header);
      upright = uprightSize(header.width, header.height, orientation);
      return draftScale(header.width, header.height, spec.resize);
    },
    region(width, height) {
      const up = uprightSize(width, height, orientation);
      region = storedWindow(planCrop(up.width, up.height, spec).reads, width, height, orientation);
      return { x: region.left, y: region.top, width: region.width, height: region.height };
    },
    maxMemoryBytes: JPEG_COEFFICIENT_BYTES + 8 * 2 ** 20,
  });
  return {
    ...upright,
    source: { width: scaled.width, height: scaled.height, channels: 3, data: scaled.data, region, orientation },
    warnings: scaled.warnings,
  };
}

/**
 * IHDR bit depth byte: 16-bit PNGs are decoded at 16 bits and rounded to 8, not truncated by the codec. An 8-bit
 * PNG's RGBA is handed to `use` where the codec left it, in wasm memory: a JS copy would cost 4 bytes a pixel
 * more at the peak (32 MB at 8 MP).
 */
function decodePng<R>(bytes: Uint8Array, use: (image: RgbaImage) => R): Promise<R> {
  if (bytes[24] !== 16) return withPngRgba(bytes, use);
  return decodePng16To8(bytes).then(use);
}

/** First frame only, composed on a transparent canvas of the logical screen size. */
function decodeGif(bytes: Uint8Array): RgbaImage {
  let reader: GifReader;
  try {
    reader = new GifReader(bytes);
  } catch (e) {
    // omggif reads every block when opening; running off the end is how a cut-short GIF shows up.
    if (bytes[bytes.length - 1] !== 0x3b) throw truncated('gif');
    throw undecodable('gif', e);
  }
  if (reader.numFrames() === 0) throw undecodable('gif', new Error('no image frames'));
  const frame = reader.frameInfo(0);
  // omggif does not clip; a frame outside the canvas would wrap into other rows.
  if (frame.x + frame.width > reader.width || frame.y + frame.height > reader.height) {
    throw undecodable('gif', new Error('the first frame lies outside the canvas'));
  }
  const data = new Uint8ClampedArray(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, data);
  return { width: reader.width, height: reader.height, data };
}

/** A still WebP as it is; an animation by its first frame, placed on a transparent canvas like a GIF's. */
async function decodeWebp(bytes: Uint8Array): Promise<RgbaImage> {
  const first = webpFirstFrame(bytes);
  if (!first) return decodeWebpRgba(bytes);
  const frame = await decodeWebpRgba(first.still);
  if (first.x + frame.width > first.canvasWidth || first.y + frame.height > first.canvasHeight) {
    throw new Error('the first frame lies outside the canvas');
  }
  const data = new Uint8ClampedArray(first.canvasWidth * first.canvasHeight * 4);
  for (let row = 0; row < frame.height; row++) {
    const from = row * frame.width * 4;
    data.set(frame.data.subarray(from, from + frame.width * 4), ((first.y + row) * first.canvasWidth + first.x) * 4);
  }
  return { width: first.canvasWidth, height: first.canvasHeight, data };
}

/**
 * Decodes `bytes` (already sniffed as `format`) for a resize + crop as `spec` says and hands the result to `use`,
 * whose answer it returns. The pixels may lie in a codec's wasm memory, lent only for the call: `use` must not
 * keep `source.data`. Throws ImageError for the file's faults; what `use` throws passes through unchanged.
 */
export async function withDecodedImage<R>(bytes: Uint8Array, format: ImageFormat, spec: CropSpec, use: (image: DecodedImage) => R): Promise<R> {
  if (!isComplete(bytes, format)) throw truncated(format);
  // What `use` throws is not the file's fault: it must not become a 400 below.
  let fromUse: { error: unknown } | undefined;
  const guarded = (image: DecodedImage): R => {
    try {
      return use(image);
    } catch (e) {
      fromUse = { error: e };
      throw e;
    }
  };
  const useRgba = (image: RgbaImage): R => {
    if (image.data.length !== image.width * image.height * 4 || image.width === 0 || image.height === 0) {
      throw new Error(`the decoder returned ${image.width}x${image.height} with ${image.data.length} bytes`);
    }
    return guarded({ width: image.width, height: image.height, source: { width: image.width, height: image.height, channels: 4, data: image.data }, warnings: [] });
  };
  try {
    switch (format) {
      case 'jpeg': return guarded(decodeJpeg(bytes, spec));
      case 'png': return await decodePng(bytes, useRgba);
      case 'webp': return useRgba(await decodeWebp(bytes));
      case 'avif': return useRgba(await decodeAvifRgba(bytes));
      case 'gif': return useRgba(decodeGif(bytes));
    }
  } catch (e) {
    if (fromUse) throw fromUse.error;
    if (e instanceof ImageError) throw e;
    // libjpeg's own refusals and traps inside the wasm are the file's fault; anything else in the JPEG path is ours.
    if (e instanceof LibJpegError || isWasmTrap(e) || format !== 'jpeg') throw undecodable(format, e);
    throw e;
  }
}

/** withDecodedImage, its pixels copied out so that they outlive the call (for tests and tools, not the service). */
export function decodeImage(bytes: Uint8Array, format: ImageFormat, spec: CropSpec = ZOO_CROP): Promise<DecodedImage> {
  return withDecodedImage(bytes, format, spec, (image) => ({ ...image, source: { ...image.source, data: image.source.data.slice() } }));
}
