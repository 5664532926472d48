/** @module POST / and POST /classify: image in, top labels of the chosen model (`?model=`) out. */
import { inspectImage, prepareImage } from '../../images/index.ts';
import { MAX_BODY_BYTES } from '../../images/constants.ts';
import { HttpError, jsonResponse, SECURITY_HEADERS } from '../http/errors.ts';
import { readUpload } from '../http/upload.ts';
import { parseClassifyQuery } from '../http/query.ts';
import { formatJson, formatText } from '../format.ts';
import { classifyWith, cropSpecFor } from '../classifier-stub.ts';
import { chooseModel } from '../models.ts';
import type { Env } from '../env.ts';
import type { RpcResult } from '../../durable-objects/protocol.ts';

/** A Durable Object's error value as the HTTP error it stands for (503s with Retry-After). */
function orThrow<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  const { status, code, message, retryAfter } = result.error;
  throw new HttpError(status, code, message, retryAfter ? { 'Retry-After': String(retryAfter) } : {});
}

export async function handleClassify(request: Request, env: Env, url: URL): Promise<Response> {
  const started = performance.now();
  const query = parseClassifyQuery(url, request.headers.get('Accept'));
  const modelKey = chooseModel(url, env);
  const upload = await readUpload(request, MAX_BODY_BYTES);
  // An ImageError (client-caused: 400/413/415) propagates to the central catch in index.ts. What the bytes'
  // header already refuses is refused before the model's crop spec is asked for: a bad upload gets its 4xx even
  // while the GPU side is down (which answers 503).
  inspectImage(upload.bytes, upload.declaredType);
  const spec = orThrow(await cropSpecFor(env, modelKey));
  const prepared = await prepareImage(upload.bytes, upload.declaredType, spec);
  if (prepared.warnings.length > 0) console.warn(`decoder warnings (${prepared.format}, answered anyway): ${prepared.warnings.join('; ')}`);
  const rpcStarted = performance.now();
  // The uint8 crop goes over RPC and on to the GPU host as is (1 byte per channel); the GPU normalizes it.
  const result = await classifyWith(env, modelKey, prepared.crop, query.top);
  const finished = performance.now();
  const { model, top } = orThrow(result);
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
