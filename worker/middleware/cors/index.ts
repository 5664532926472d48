/**
 * @module CORS (var `CORS_ORIGINS`: exact origins, comma-separated, or `*`). For an allowed Origin a preflight
 * gets 204 with the allowed method and headers, and every other response, errors included, carries
 * `Access-Control-Allow-Origin` with that origin. Other origins get no CORS headers, so the browser blocks them.
 * Unset: no CORS at all, as before (same-origin only; OPTIONS is a 405).
 */
import { SECURITY_HEADERS } from '../../http/errors.ts';
import type { Middleware } from '../context.ts';
import { commaList } from '../list.ts';

/** What a browser app may send: the key, and an image or multipart Content-Type (not CORS-safelisted). */
const ALLOW_HEADERS = 'Authorization, Content-Type';
/** Headers a browser app needs to read: when to retry, which auth scheme, the id a 500 quotes. */
const EXPOSE_HEADERS = 'Retry-After, WWW-Authenticate, X-Request-Id';
/** Preflight cache: 2 hours, Chromium's cap (Firefox allows a day). */
const MAX_AGE_S = 7200;

/** `https://App.example.com/` and `https://app.example.com` are one origin; what is not a URL is kept as written. */
function normalizeOrigin(entry: string): string {
  try {
    return new URL(entry).origin;
  } catch {
    return entry;
  }
}

/** `'*'`, the set of allowed origins, or undefined when CORS is off. */
export function parseCorsOrigins(raw: string | undefined): '*' | Set<string> | undefined {
  const entries = commaList(raw);
  if (entries.length === 0) return undefined;
  if (entries.includes('*')) return '*';
  return new Set(entries.map(normalizeOrigin));
}

function isPreflight(request: Request): boolean {
  return request.method === 'OPTIONS' && request.headers.has('Access-Control-Request-Method');
}

export const cors: Middleware = async function cors(c, next) {
  const allowed = parseCorsOrigins(c.env.CORS_ORIGINS);
  if (!allowed) return next();
  const origin = c.request.headers.get('Origin');
  const allowedOrigin = origin !== null && (allowed === '*' || allowed.has(origin)) ? origin : undefined;

  if (allowedOrigin && isPreflight(c.request)) {
    return new Response(null, {
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': allowedOrigin,
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': String(MAX_AGE_S),
        Vary: 'Origin',
        ...SECURITY_HEADERS,
      },
    });
  }
  const response = await next();
  // The answer depends on Origin whenever CORS is on: caches must not hand one origin's headers to another.
  response.headers.append('Vary', 'Origin');
  if (allowedOrigin) {
    response.headers.set('Access-Control-Allow-Origin', allowedOrigin);
    response.headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  }
  return response;
};
