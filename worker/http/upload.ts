/**
 * @module The uploaded image from a request: multipart/form-data field `file` (what `curl -F file=@x.jpg`
 * sends) or the raw body with an image Content-Type.
 */
import { HttpError } from './errors.ts';
import { getMultipartBoundary, MultipartParseError, parseMultipart, type MultipartPart } from '@remix-run/multipart-parser';
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

function badMultipart(): HttpError {
  return new HttpError(400, 'bad_multipart', 'The multipart/form-data body could not be parsed (wrong boundary or truncated); send the image as field "file" (curl -F file=@photo.jpg).');
}

/**
 * The "file" part as a view into the body, not a copy. The runtime's formData() would hold the image three more
 * times (its copy of the body, the File, the File's arrayBuffer()): 60 MiB more for a 20 MiB upload, in a
 * Worker's 128 MB (images/constants.ts, WORKER_IMAGE_BUDGET_BYTES).
 */
function fromMultipart(body: Uint8Array, contentType: string): Upload {
  const boundary = getMultipartBoundary(contentType);
  if (!boundary) throw badMultipart();
  const files: MultipartPart[] = [];
  try {
    for (const part of parseMultipart(body, { boundary, maxFileSize: body.byteLength, maxTotalSize: body.byteLength })) {
      if (part.name === 'file') files.push(part);
    }
  } catch (e) {
    if (e instanceof MultipartParseError) throw badMultipart();
    throw e;
  }
  if (files.length === 0) throw new HttpError(400, 'missing_file', 'The multipart body has no "file" field; send the image as field "file" (curl -F file=@photo.jpg).');
  if (files.length > 1) throw new HttpError(400, 'multiple_files', `The multipart body has ${files.length} "file" fields; send one image per request.`);
  const [file] = files;
  if (!file.isFile) {
    throw new HttpError(400, 'missing_file', 'The "file" field is text, not a file upload; use curl -F file=@photo.jpg (note the @).');
  }
  // Parsed from one buffer, a part's content is one subarray of it; `bytes` would concatenate into a copy.
  const bytes = file.content.length === 1 ? file.content[0] : file.bytes;
  if (bytes.byteLength === 0) throw emptyBody();
  return { bytes, declaredType: mediaType(file.mediaType ?? null) };
}
