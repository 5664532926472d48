/** readUpload inside workerd: the image comes back as a view of the one body buffer, not as a copy of it. */
import { describe, expect, it } from 'vitest';
import { readUpload } from '../../worker/http/upload.ts';
import { HttpError } from '../../worker/http/errors.ts';

const image = new Uint8Array(300_000).map((_, i) => (i * 7919) & 0xff);

/** A multipart body as curl -F file=@x.png sends it, delivered in 64 KiB chunks. */
function multipartRequest(contentLength: boolean): Request {
  const boundary = '------------------------d74496d66958873e';
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`);
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + image.length + tail.length);
  body.set(head);
  body.set(image, head.length);
  body.set(tail, head.length + image.length);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < body.length; i += 65536) controller.enqueue(body.slice(i, i + 65536));
      controller.close();
    },
  });
  const headers: Record<string, string> = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
  if (contentLength) headers['Content-Length'] = String(body.length);
  return new Request('http://x/', { method: 'POST', body: contentLength ? body : stream, headers });
}

describe('readUpload', () => {
  for (const contentLength of [true, false]) {
    it(`multipart ${contentLength ? 'with Content-Length' : 'chunked'}: the file is a view into the body buffer, byte for byte`, async () => {
      const upload = await readUpload(multipartRequest(contentLength), 20 * 2 ** 20);
      expect(upload.declaredType).toBe('image/png');
      expect(upload.bytes).toEqual(image);
      // The whole body is the buffer; the file lies inside it after the part's headers.
      expect(upload.bytes.byteOffset).toBeGreaterThan(0);
      expect(upload.bytes.buffer.byteLength).toBeGreaterThan(image.length);
    });
  }

  it('a multipart body cut short is a 400 bad_multipart', async () => {
    const full = new Uint8Array(await multipartRequest(true).arrayBuffer());
    const request = new Request('http://x/', { method: 'POST', body: full.slice(0, full.length >> 1), headers: { 'Content-Type': 'multipart/form-data; boundary=------------------------d74496d66958873e' } });
    const error = await readUpload(request, 20 * 2 ** 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect([(error as HttpError).status, (error as HttpError).code]).toEqual([400, 'bad_multipart']);
  });
});
