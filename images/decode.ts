/**
 * @module Bytes of a sniffed format to upright 8-bit RGBA. JPEG, PNG, WebP and AVIF go through the @jsquash
 * WebAssembly codecs (an animated WebP by its first frame), GIF (first frame) through omggif. Every failure
 * becomes an ImageError: truncated input is `truncated_image` (checked before decoding, so a half image is
 * never returned), anything else the decoder rejects is `undecodable_image`.
 */
import { GifReader } from 'omggif';
import { decodeAvifRgba, decodePngRgba, decodePngRgba16, decodeWebpRgba } from './codecs.ts';
import { ImageError } from './errors.ts';
import { isComplete } from './integrity.ts';
import { readJpegFrameHeader, readJpegOrientation } from './jpeg-markers.ts';
import { decodeMozJpeg } from './mozjpeg.ts';
import { applyOrientation, type RgbaImage } from './orientation.ts';
import type { ImageFormat } from './sniff.ts';
import { webpFirstFrame } from './webp-animation.ts';

export type { RgbaImage } from './orientation.ts';

function truncated(format: ImageFormat): ImageError {
  return new ImageError('truncated_image', `The ${format.toUpperCase()} file is cut short (the upload may have been interrupted); upload the complete file.`);
}

function undecodable(format: ImageFormat, cause: unknown): ImageError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new ImageError('undecodable_image', `The file looks like ${format.toUpperCase()} but could not be decoded${detail}; re-save it as a standard JPEG or PNG and try again.`, { cause });
}

async function decodeJpeg(bytes: Uint8Array): Promise<RgbaImage> {
  const frame = readJpegFrameHeader(bytes);
  // libjpeg cannot convert CMYK/YCCK to RGB, and guessing the ink profile would give wrong colours anyway.
  if (frame && frame.components === 4) {
    throw new ImageError('unsupported_media_type', 'CMYK JPEGs (print colour) are not supported; convert the image to RGB (sRGB) and upload it again.');
  }
  const { messages, ...image } = await decodeMozJpeg(bytes);
  // The marker walk already proved the segments are all there; a starved scan means the data inside is damaged.
  if (messages.some((m) => /premature end/i.test(m))) throw undecodable('jpeg', new Error(messages.join('; ')));
  return applyOrientation(image, readJpegOrientation(bytes));
}

/** IHDR bit depth byte: 16-bit PNGs are decoded at 16 bits and rounded to 8, not truncated by the codec. */
async function decodePng(bytes: Uint8Array): Promise<RgbaImage> {
  if (bytes[24] !== 16) return decodePngRgba(bytes);
  const wide = await decodePngRgba16(bytes);
  const data = new Uint8ClampedArray(wide.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(wide.data[i] / 257);
  return { width: wide.width, height: wide.height, data };
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

/** Decodes `bytes` (already sniffed as `format`) to upright RGBA. Throws ImageError. */
export async function decodeImage(bytes: Uint8Array, format: ImageFormat): Promise<RgbaImage> {
  if (!isComplete(bytes, format)) throw truncated(format);
  let image: RgbaImage;
  try {
    switch (format) {
      case 'jpeg': image = await decodeJpeg(bytes); break;
      case 'png': image = await decodePng(bytes); break;
      case 'webp': image = await decodeWebp(bytes); break;
      case 'avif': image = await decodeAvifRgba(bytes); break;
      case 'gif': image = decodeGif(bytes); break;
    }
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw undecodable(format, e);
  }
  if (image.data.length !== image.width * image.height * 4 || image.width === 0 || image.height === 0) {
    throw undecodable(format, new Error(`the decoder returned ${image.width}x${image.height} with ${image.data.length} bytes`));
  }
  return image;
}
