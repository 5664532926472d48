/**
 * @module API keys (secret `API_KEYS`): with keys set, a POST without `Authorization: Bearer <key>`, or with a
 * key that is not one of them, gets 401 `unauthorized` with `WWW-Authenticate: Bearer` before any of its body
 * is read; GET /healthz still answers, but without a key only `{"ok": ...}` (the adapter, model hash and
 * reasons are for key holders). Keys never reach a log or a response.
 */
import { HttpError, errorResponse } from '../../http/errors.ts';
import { bearerToken, matchApiKey } from './keys.ts';
import { commaList } from '../list.ts';
import { isGpuWork, type AccessContext, type Middleware } from '../context.ts';

const HEALTH_PATH = '/healthz';

function unauthorized(message: string): Response {
  // RFC 6750 section 3: a 401 names the scheme the client must use.
  return errorResponse(new HttpError(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' }));
}

/** The limiter's name for a key holder: part of the key's digest, so neither the key nor its index leaves. */
function clientId(digest: Uint8Array): string {
  return 'key:' + [...digest.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function acceptedKey(c: AccessContext, raw: string): Promise<Uint8Array | undefined> {
  const token = bearerToken(c.request.headers.get('Authorization'));
  return token === undefined ? undefined : matchApiKey(raw, token);
}

/**
 * /healthz for a caller without a key: the same status and headers, the report cut down to `ok`. A body
 * without a boolean `ok` (an error from the central error path) has nothing private and passes unchanged.
 */
async function okOnly(response: Response): Promise<Response> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const ok = (body as { ok?: unknown } | undefined)?.ok;
  const headers = new Headers(response.headers);
  headers.delete('Content-Length');
  return new Response(typeof ok === 'boolean' ? JSON.stringify({ ok }) : text, { status: response.status, headers });
}

export const apiKeys: Middleware = async function apiKeys(c, next) {
  const raw = c.env.API_KEYS ?? '';
  if (commaList(raw).length === 0) return next();

  if (isGpuWork(c.request)) {
    if (!c.request.headers.has('Authorization')) {
      return unauthorized('This service needs an API key: send it as "Authorization: Bearer <key>" (curl -H "Authorization: Bearer $KEY" ...).');
    }
    const digest = await acceptedKey(c, raw);
    if (!digest) return unauthorized('The Authorization header does not carry a valid API key: send "Authorization: Bearer <key>" with a key this service was given.');
    c.client = clientId(digest);
    return next();
  }

  if (c.url.pathname === HEALTH_PATH && c.request.method === 'GET' && !(await acceptedKey(c, raw))) return okOnly(await next());
  return next();
};
