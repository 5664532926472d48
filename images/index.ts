/**
 * @module Upload bytes to the model's input tensor: size and format checks, header dimension check (before any
 * pixel is allocated), decode, preprocess. Runs in workerd and in Node (no Node-only APIs).
 */
import { MAX_BODY_BYTES, MAX_PIXELS } from './constants.ts';
import { decodeImage } from './decode.ts';
import { ImageError } from './errors.ts';
import { readImageSize } from './header.ts';
import { toModelInput } from './preprocess.ts';
import { detectImageFormat, isSupportedFormat, SUPPORTED_LIST, type ImageFormat } from './sniff.ts';

export { ImageError, type ImageErrorCode } from './errors.ts';
export type { ImageFormat } from './sniff.ts';

export interface PreparedImage {
  /** 1x3x224x224 NCHW float32, ImageNet-normalised. */
  tensor: Float32Array;
  /** Upright (EXIF-oriented) size of the decoded image. */
  width: number;
  height: number;
  format: ImageFormat;
  /**
   * Milliseconds. In deployed workerd performance.now() only advances across I/O, so these read 0 there;
   * they are meaningful under `wrangler dev`, vitest-pool-workers and Node.
   */
  timings: { decode: number; preprocess: number };
}

function unsupported(found: string, declaredType: string | undefined): ImageError {
  const declared = declaredType ? ` (declared as ${declaredType})` : '';
  const what = found === 'unknown' ? 'is not an image format we recognise' : `is ${found.toUpperCase()}, which we do not decode`;
  return new ImageError('unsupported_media_type', `The upload${declared} ${what}; send a ${SUPPORTED_LIST} image.`);
}

/**
 * Validates and decodes an uploaded image and returns the model input. The format comes from the magic bytes;
 * `declaredType` (the client's Content-Type) is only quoted in error messages. Throws ImageError.
 */
export async function prepareImage(bytes: Uint8Array, declaredType?: string): Promise<PreparedImage> {
  if (bytes.byteLength === 0) throw new ImageError('empty_body', 'The upload is empty; send the image file as the request body or as multipart field "file".');
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new ImageError('body_too_large', `The upload is ${(bytes.byteLength / 2 ** 20).toFixed(1)} MiB, over the ${MAX_BODY_BYTES / 2 ** 20} MiB limit; send a smaller image.`);
  }
  const detected = detectImageFormat(bytes);
  if (!isSupportedFormat(detected)) throw unsupported(detected, declaredType);
  const format = detected;

  const declared = readImageSize(bytes, format);
  checkPixels(declared.width, declared.height);

  const t0 = performance.now();
  const image = await decodeImage(bytes, format);
  // A header can understate what the codec then allocates (e.g. an AVIF grid); refuse to go on with it.
  checkPixels(image.width, image.height);
  const t1 = performance.now();
  const tensor = toModelInput(image.data, image.width, image.height);
  const t2 = performance.now();
  return { tensor, width: image.width, height: image.height, format, timings: { decode: t1 - t0, preprocess: t2 - t1 } };
}

function checkPixels(width: number, height: number): void {
  if (width * height <= MAX_PIXELS) return;
  const mp = (width * height / 1e6).toFixed(1);
  throw new ImageError('image_too_large', `The image is ${width}x${height} (${mp} megapixels), over the ${MAX_PIXELS / 1e6} megapixel limit; downscale it and try again.`);
}
