/**
 * @module The uploaded image from a request: multipart/form-data field `file` (what `curl -F file=@x.jpg`
 * sends) or the raw body with an image Content-Type.
 */
import { HttpError } from './errors.ts';
import { readCappedBody } from './read-body.ts';

export interface Upload {
  bytes: Uint8Array;
  /** The Content-Type the client declared (header or multipart part), lower-cased, without parameters. */
  declaredType: string;
}

function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function emptyBody(): HttpError {
  return new HttpError(400, 'empty_body', 'The request has no image: send it as multipart field "file" (curl -F file=@photo.jpg) or as the raw body with an image Content-Type.');
}

export async function readUpload(request: Request, maxBytes: number): Promise<Upload> {
  const contentType = request.headers.get('Content-Type');
  const type = mediaType(contentType);
  const body = await readCappedBody(request, maxBytes);
  if (body.byteLength === 0) throw emptyBody();
  if (type === 'multipart/form-data') return fromMultipart(body, contentType!);
  // Any other type: the magic bytes decide (SPEC: 415 only when neither they nor the declared type name a
  // format we decode; images/index.ts).
  return { bytes: body, declaredType: type };
}

async function fromMultipart(body: Uint8Array, contentType: string): Promise<Upload> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'Content-Type': contentType } }).formData();
  } catch {
    throw new HttpError(400, 'bad_multipart', 'The multipart/form-data body could not be parsed (wrong boundary or truncated); send the image as field "file" (curl -F file=@photo.jpg).');
  }
  // workers-types declares getAll() as string[]; at runtime file parts are File objects.
  const files = form.getAll('file') as unknown as (File | string)[];
  if (files.length === 0) throw new HttpError(400, 'missing_file', 'The multipart body has no "file" field; send the image as field "file" (curl -F file=@photo.jpg).');
  if (files.length > 1) throw new HttpError(400, 'multiple_files', `The multipart body has ${files.length} "file" fields; send one image per request.`);
  const file = files[0];
  if (typeof file === 'string') {
    throw new HttpError(400, 'missing_file', 'The "file" field is text, not a file upload; use curl -F file=@photo.jpg (note the @).');
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.byteLength === 0) throw emptyBody();
  return { bytes, declaredType: mediaType(file.type) };
}
