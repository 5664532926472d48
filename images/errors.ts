/** @module The one error type of image handling; the Worker maps it 1:1 onto an HTTP error response. */

export type ImageErrorCode =
  | 'empty_body'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'image_too_large'
  | 'undecodable_image'
  | 'truncated_image';

const STATUS: Record<ImageErrorCode, 400 | 413 | 415> = {
  empty_body: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  image_too_large: 413,
  undecodable_image: 400,
  truncated_image: 400,
};

/** A client-caused image problem: `status` is the HTTP status, `code` a stable slug, `message` says what to do. */
export class ImageError extends Error {
  readonly status: 400 | 413 | 415;
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
    this.code = code;
    this.status = STATUS[code];
  }
}
