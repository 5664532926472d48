/**
 * @module Upload bytes to the model's input: size and format checks, header dimension checks (before any pixel
 * is allocated), decode (JPEG at a DCT scale, only the rectangle the crop reads), resize + crop to the uint8 RGB
 * crop as PIL computes it. normalize() (preprocess.ts) turns the crop into a model's float tensor. Runs in
 * workerd and in Node (no Node-only APIs).
 */
import { MAX_AVIF_BYTES, MAX_AVIF_PIXELS, MAX_BODY_BYTES, MAX_PIXELS, MAX_PNG16_PIXELS, MAX_PNG_PIXELS, MAX_WEBP_PIXELS, MAX_GIF_PIXELS } from './constants.ts';
import { withDecodedImage } from './decode.ts';
import { ImageError } from './errors.ts';
import { readImageSize } from './header.ts';
import { compositeOnWhite, resizeCrop, ZOO_CROP, type CropSpec } from './preprocess.ts';
import { declaredFormat, detectImageFormat, isSupportedFormat, startsLikeFormat, SUPPORTED_LIST, type ImageFormat } from './sniff.ts';

export { ImageError, type ImageErrorCode } from './errors.ts';
export type { ImageFormat } from './sniff.ts';
export { normalize, IMAGENET_NORMALIZE, ZOO_CROP, type CropSpec, type NormalizeSpec } from './preprocess.ts';

export interface PreparedImage {
  /** The uint8 RGB crop, HWC, crop x crop x 3 (150,528 bytes for the zoo's 224). */
  crop: Uint8Array;
  /** Upright (EXIF-oriented) size of the uploaded image. */
  width: number;
  height: number;
  format: ImageFormat;
  /** Decoder warnings the decode survived (libjpeg's), for the log. */
  warnings: string[];
  /**
   * Milliseconds. In a deployed Worker performance.now() only advances across I/O, so these read 0 there
   * (docs/deploy.md); they are meaningful under `wrangler dev`, vitest-pool-workers and Node.
   */
  timings: { decode: number; preprocess: number };
}

function unsupported(found: string, declaredType: string | undefined): ImageError {
  const declared = declaredType ? ` (declared as ${declaredType})` : '';
  const what = found === 'unknown' ? 'is not an image format we recognise' : `is ${found.toUpperCase()}, which we do not decode`;
  return new ImageError('unsupported_media_type', `The upload${declared} ${what}; send a ${SUPPORTED_LIST} image.`);
}

function notThatFormat(format: ImageFormat, declaredType: string | undefined, detected: string): ImageError {
  const how = declaredType && declaredFormat(declaredType) === format ? `is declared as ${declaredType}` : `starts like ${format.toUpperCase()}`;
  const what = detected === 'unknown' ? 'damaged, cut short or another format' : `it is ${detected.toUpperCase()}, which we do not decode`;
  return new ImageError('undecodable_image', `The upload ${how} but is not a ${format.toUpperCase()} file we can decode (${what}); send a ${SUPPORTED_LIST} image.`);
}

/**
 * The format to decode: the magic bytes decide. Bytes that only start like one of ours, or that are declared as
 * one of ours, are a broken image of that format (400); 415 only when neither names a format we decode.
 */
function formatOf(bytes: Uint8Array, declaredType: string | undefined): ImageFormat {
  const detected = detectImageFormat(bytes);
  if (isSupportedFormat(detected)) return detected;
  const hinted = startsLikeFormat(bytes) ?? declaredFormat(declaredType);
  if (hinted) throw notThatFormat(hinted, declaredType, detected);
  throw unsupported(detected, declaredType);
}

function tooLarge(width: number, height: number, cap: number, what: string): ImageError {
  const mp = ((width * height) / 1e6).toFixed(1);
  return new ImageError('image_too_large', `The image is ${width}x${height} (${mp} megapixels), over the ${cap / 1e6} megapixel limit${what}; downscale it and try again.`);
}

/** The pixel cap of each format decoded whole (constants.ts: measured against a Worker's memory), named as users know it. */
const WHOLE_DECODE_CAPS = {
  png: { pixels: MAX_PNG_PIXELS, name: 'PNGs' },
  webp: { pixels: MAX_WEBP_PIXELS, name: 'WebPs' },
  gif: { pixels: MAX_GIF_PIXELS, name: 'GIFs' },
  avif: { pixels: MAX_AVIF_PIXELS, name: 'AVIFs' },
} as const;

/** The header's size against the caps: every format, then those decoded whole to RGBA (constants.ts). */
function checkPixels(bytes: Uint8Array, format: ImageFormat, width: number, height: number): void {
  const pixels = width * height;
  if (pixels > MAX_PIXELS) throw tooLarge(width, height, MAX_PIXELS, '');
  if (format === 'jpeg') return;
  const cap = format === 'png' && bytes[24] === 16 ? { pixels: MAX_PNG16_PIXELS, name: '16-bit PNGs' } : WHOLE_DECODE_CAPS[format];
  if (pixels > cap.pixels) throw tooLarge(width, height, cap.pixels, ` for ${cap.name} (decoded whole; JPEGs may be larger)`);
  // AVIF's decoder grows with the coded data even more than with the pixels (docs/deploy.md "Memory").
  if (format === 'avif' && bytes.byteLength > MAX_AVIF_BYTES) {
    throw new ImageError('image_too_large', `The AVIF file is ${(bytes.byteLength / 2 ** 20).toFixed(2)} MiB, over the ${MAX_AVIF_BYTES / 2 ** 20} MiB limit for AVIF files (their decoder's memory grows with the coded data); re-save it at a lower quality or as JPEG and try again.`);
  }
}

/** What an upload's bytes say before any decoding: its format and declared size. */
export interface InspectedImage {
  format: ImageFormat;
  width: number;
  height: number;
}

/**
 * The checks that need no decoding (empty, over the body cap, not a format we decode, over a pixel cap), from the
 * bytes and their header alone. Cheap: a caller may run it before asking anyone else anything about the request.
 * Throws ImageError.
 */
export function inspectImage(bytes: Uint8Array, declaredType?: string): InspectedImage {
  if (bytes.byteLength === 0) throw new ImageError('empty_body', 'The upload is empty; send the image file as the request body or as multipart field "file".');
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new ImageError('body_too_large', `The upload is ${(bytes.byteLength / 2 ** 20).toFixed(1)} MiB, over the ${MAX_BODY_BYTES / 2 ** 20} MiB limit; send a smaller image.`);
  }
  const format = formatOf(bytes, declaredType);
  const { width, height } = readImageSize(bytes, format);
  checkPixels(bytes, format, width, height);
  return { format, width, height };
}

/**
 * Validates and decodes an uploaded image and returns its crop. `declaredType` is the client's Content-Type:
 * it only turns a 415 into a 400 for bytes that claim to be one of our formats. Throws ImageError.
 */
export async function prepareImage(bytes: Uint8Array, declaredType?: string, spec: CropSpec = ZOO_CROP): Promise<PreparedImage> {
  const { format } = inspectImage(bytes, declaredType);

  const t0 = performance.now();
  let t1 = t0;
  // The resize runs while the pixels are lent (an 8-bit PNG's lie in the codec's wasm memory): no JS copy of them.
  const { crop, image } = await withDecodedImage(bytes, format, spec, (image) => {
    // A header can understate what the codec then allocates (e.g. an AVIF grid); refuse to go on with it.
    checkPixels(bytes, format, image.width, image.height);
    t1 = performance.now();
    const { source } = image;
    if (source.channels === 4) compositeOnWhite(source.data as Uint8ClampedArray, source.width, source.height);
    return { crop: resizeCrop(source, spec), image };
  });
  const t2 = performance.now();
  return { crop, width: image.width, height: image.height, format, warnings: image.warnings, timings: { decode: t1 - t0, preprocess: t2 - t1 } };
}
