/** @module Test images for the service tests, encoded in the test with the @jsquash encoders. */
import { encodeJpeg, encodePng, makeImage } from '../../images/test-fixtures.ts';

/** A photo-like 500x375 JPEG: smooth colour waves plus texture, so the model sees structure, not noise. */
export function photoLikeJpeg(seed = 0): Promise<Uint8Array> {
  return encodeJpeg(
    makeImage(500, 375, (x, y) => [
      128 + 100 * Math.sin((x + seed * 37) / 30),
      128 + 100 * Math.cos((y + seed * 11) / 20),
      ((x * y + seed * 101) % 255),
      255,
    ]),
  );
}

export function solidPng(rgb: readonly number[], width = 64, height = 48): Promise<Uint8Array> {
  return encodePng(makeImage(width, height, () => [...rgb, 255]));
}

export function multipart(bytes: Uint8Array, type: string, field = 'file', filename = 'image'): FormData {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type }), filename);
  return form;
}
