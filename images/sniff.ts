/**
 * @module Image format from the magic bytes. The client's Content-Type is not trusted (browsers send
 * application/octet-stream, curl guesses from the extension); the bytes decide which decoder runs.
 */
import { u32be } from './bytes.ts';

/** Formats we decode, in the order messages name them. The one list: type, check, Content-Types and text. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif'] as const;

export type ImageFormat = (typeof IMAGE_FORMATS)[number];

const FORMAT_NAMES: Record<ImageFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', avif: 'AVIF' };
const names = IMAGE_FORMATS.map((f) => FORMAT_NAMES[f]);

/** "JPEG, PNG, WebP, GIF or AVIF", for error messages and the upload page. */
export const SUPPORTED_LIST = `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/** Image formats we recognise only to refuse them with 415 and a message naming the format. */
export type UnsupportedImageFormat = 'svg' | 'heic' | 'bmp' | 'tiff' | 'ico' | 'psd' | 'jxl' | 'jp2' | 'pdf';

export type DetectedFormat = ImageFormat | UnsupportedImageFormat | 'unknown';

const SUPPORTED: ReadonlySet<DetectedFormat> = new Set<DetectedFormat>(IMAGE_FORMATS);

export function isSupportedFormat(format: DetectedFormat): format is ImageFormat {
  return SUPPORTED.has(format);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[offset + i] !== prefix[i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
}

/** ISO-BMFF (`ftyp` box) brands: AVIF and HEIF share the container and differ only in the brands. */
function detectIsoBmff(bytes: Uint8Array): DetectedFormat {
  const boxSize = u32be(bytes, 0);
  const end = Math.min(bytes.length, Math.max(16, boxSize));
  const brands = [ascii(bytes, 8, 12)];
  for (let o = 16; o + 4 <= end; o += 4) brands.push(ascii(bytes, o, o + 4));
  if (brands.some((b) => b === 'avif' || b === 'avis')) return 'avif';
  if (brands.some((b) => ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(b))) return 'heic';
  if (brands.includes('jp2 ')) return 'jp2';
  return 'unknown';
}

/** SVG is text: skip a BOM and whitespace, then look for the root element near the start. */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('<')) return false;
  return /<svg[\s>]/i.test(head);
}

/**
 * The format of ours that a declared Content-Type names (`image/jpeg`, also the common `image/jpg` and
 * `image/pjpeg`), or undefined.
 */
export function declaredFormat(mediaType: string | undefined): ImageFormat | undefined {
  const subtype = /^image\/([a-z0-9.+-]+)$/.exec((mediaType ?? '').trim().toLowerCase())?.[1];
  if (subtype === 'jpg' || subtype === 'pjpeg') return 'jpeg';
  return IMAGE_FORMATS.find((f) => f === subtype);
}

/**
 * A format of ours whose signature the bytes begin with but are too short or too broken to complete (e.g. FF D8
 * alone, the first 5 bytes of a PNG signature, RIFF without WEBP): such an upload is a broken image (400), not
 * another format (415).
 */
export function startsLikeFormat(bytes: Uint8Array): ImageFormat | undefined {
  const prefixOf = (signature: readonly number[]) => bytes.length >= 2 && signature.slice(0, bytes.length).every((b, i) => bytes[i] === b);
  if (startsWith(bytes, [0xff, 0xd8])) return 'jpeg';
  if (prefixOf([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (prefixOf([...'GIF8'].map((c) => c.charCodeAt(0)))) return 'gif';
  if (prefixOf([...'RIFF'].map((c) => c.charCodeAt(0))) && (bytes.length < 12 || ascii(bytes, 8, 12) === 'WEBP')) return 'webp';
  return undefined;
}

/** The format the bytes are in, `'unknown'` when no signature matches. Reads at most the first 4 KiB. */
export function detectImageFormat(bytes: Uint8Array): DetectedFormat {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (ascii(bytes, 4, 8) === 'ftyp') return detectIsoBmff(bytes);
  if (startsWith(bytes, [0x42, 0x4d]) && bytes.length >= 26) return 'bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) || startsWith(bytes, [0x00, 0x00, 0x02, 0x00])) return 'ico';
  if (ascii(bytes, 0, 4) === '8BPS') return 'psd';
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'jxl';
  if (startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'jp2';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  if (looksLikeSvg(bytes)) return 'svg';
  return 'unknown';
}
