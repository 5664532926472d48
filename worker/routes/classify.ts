/** @module POST / and POST /classify: image in, top labels of the chosen model (`?model=`) out. */
import { normalize, prepareImage } from '../../images/index.ts';
import { MAX_BODY_BYTES } from '../../images/constants.ts';
import { HttpError, jsonResponse, SECURITY_HEADERS } from '../http/errors.ts';
import { readUpload } from '../http/upload.ts';
import { parseClassifyQuery } from '../http/query.ts';
import { formatJson, formatText } from '../format.ts';
import { classifyWith } from '../classifier-stub.ts';
import { chooseModel } from '../models.ts';
import type { Env } from '../env.ts';

export async function handleClassify(request: Request, env: Env, url: URL): Promise<Response> {
  const started = performance.now();
  const query = parseClassifyQuery(url, request.headers.get('Accept'));
  const modelKey = chooseModel(url, env);
  const upload = await readUpload(request, MAX_BODY_BYTES);
  // An ImageError (client-caused: 400/413/415) propagates to the central catch in index.ts.
  const prepared = await prepareImage(upload.bytes, upload.declaredType);
  if (prepared.warnings.length > 0) console.warn(`decoder warnings (${prepared.format}, answered anyway): ${prepared.warnings.join('; ')}`);
  const rpcStarted = performance.now();
  // Today's Durable Object takes the float32 NCHW tensor; it will take the uint8 crop and normalise on the GPU.
  const result = await classifyWith(env, modelKey, normalize(prepared.crop), query.top);
  const finished = performance.now();
  if (!result.ok) {
    const { status, code, message, retryAfter } = result.error;
    throw new HttpError(status, code, message, retryAfter ? { 'Retry-After': String(retryAfter) } : {});
  }
  const { model, top } = result.value;
  if (query.format === 'text') {
    return new Response(formatText(top), { headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } });
  }
  const timings = {
    decode: prepared.timings.decode,
    preprocess: prepared.timings.preprocess,
    inference: finished - rpcStarted,
    total: finished - started,
  };
  return jsonResponse(formatJson(model, top, timings));
}
