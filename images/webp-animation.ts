/**
 * @module Animated WebP -> its first frame. The libwebp build in @jsquash/webp only has the still-image decoder,
 * which rejects an animation ("Decoding error"); GIF uploads are classified by their first frame, so WebP
 * animations are too. The first ANMF frame's bitstream is rewrapped as a still WebP for the codec, and the caller
 * places the decoded frame on the canvas at its offset.
 */
import { concatBytes, fourcc, u24le } from './bytes.ts';

export interface WebpFrame {
  /** A still WebP holding only the frame's bitstream (VP8 or VP8L, with ALPH when the frame has one). */
  still: Uint8Array;
  /** Canvas size from VP8X, and the frame's offset on it. */
  canvasWidth: number;
  canvasHeight: number;
  x: number;
  y: number;
}

function riff(fourccName: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length + (payload.length & 1));
  for (let i = 0; i < 4; i++) out[i] = fourccName.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

/**
 * The first frame of an animated WebP, or undefined for a still image (no VP8X animation flag). Throws when the
 * file says it is animated but holds no complete frame.
 */
export function webpFirstFrame(b: Uint8Array): WebpFrame | undefined {
  // RIFF(12) + "VP8X" chunk header(8) + flags(4) + canvas w-1, h-1 (3 + 3).
  if (b.length < 30 || fourcc(b, 12) !== 'VP8X' || !(b[20] & 0x02)) return undefined;
  const canvasWidth = u24le(b, 24) + 1;
  const canvasHeight = u24le(b, 27) + 1;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 12; p + 8 <= b.length; ) {
    const size = view.getUint32(p + 4, true);
    const start = p + 8;
    const end = start + size;
    if (end > b.length) break;
    if (fourcc(b, p) === 'ANMF' && size >= 16 + 8) {
      const x = u24le(b, start) * 2;
      const y = u24le(b, start + 3) * 2;
      const width = u24le(b, start + 6) + 1;
      const height = u24le(b, start + 9) + 1;
      const frameChunks = b.subarray(start + 16, end);
      const hasAlpha = fourcc(frameChunks, 0) === 'ALPH';
      // An extended-format still: VP8X (alpha flag when the frame carries ALPH) sized to the frame, then its chunks.
      const vp8x = new Uint8Array(10);
      vp8x[0] = hasAlpha ? 0x10 : 0;
      vp8x.set([(width - 1) & 0xff, ((width - 1) >> 8) & 0xff, ((width - 1) >> 16) & 0xff], 4);
      vp8x.set([(height - 1) & 0xff, ((height - 1) >> 8) & 0xff, ((height - 1) >> 16) & 0xff], 7);
      const payload = concatBytes([new TextEncoder().encode('WEBP'), riff('VP8X', vp8x), frameChunks]);
      return { still: riff('RIFF', payload).subarray(0, 8 + payload.length), canvasWidth, canvasHeight, x, y };
    }
    p = end + (size & 1);
  }
  throw new Error('the animated WebP has no complete ANMF frame');
}
