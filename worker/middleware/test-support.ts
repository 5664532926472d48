/**
 * @module For the middleware tests in workerd: requests to the real Worker (routes, error path and middleware,
 * as deployed) with access settings laid over the bindings of wrangler.toml and vitest.config.ts.
 */
import { env } from 'cloudflare:workers';
import worker from '../index.ts';
import type { Env } from '../env.ts';
import type { AccessEnv } from './context.ts';

/** No access settings at all: the default, whatever a developer's .dev.vars holds. */
const OFF: AccessEnv = { API_KEYS: undefined, CORS_ORIGINS: undefined, RATE_LIMITER: undefined, RATE_LIMIT_PERIOD: undefined };

/** The Worker's env with `access` on top of everything switched off. */
export function envWith(access: AccessEnv): Env {
  return { ...(env as unknown as Env), ...OFF, ...access };
}

/** The real rate-limiting binding and its limit (vitest.config.ts: 3 requests per 10 s per key). */
export const RATE_LIMITER = (env as unknown as Env).RATE_LIMITER!;
export const RATE_LIMIT = 3;

/** A client address (documentation range) no other test uses: the binding's counters outlive a test and a file. */
export const freshIp = (): string => `2001:db8::${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;

export function call(path: string, init: RequestInit, access: AccessEnv = {}): Promise<Response> {
  // What workerd hands a Worker is an incoming request; ours lacks only the cf properties nothing here reads.
  const request = new Request(`http://classifier.test${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  return worker.fetch(request, envWith(access));
}

/** A POST that the classify route refuses with 400 `empty_body` once it gets past the middleware. */
export function emptyPost(headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'image/png', ...headers } };
}

/**
 * Empty POSTs until the first 429: how many got through (each a 400 from the route) and the refusal. The
 * binding counts in fixed windows, so a burst that straddles a window's end is let through up to twice the
 * limit: the burst runs to the first refusal, bounded, rather than assume where it falls.
 */
export async function burst(headers: Record<string, string>, access: AccessEnv): Promise<{ admitted: number; refused: Response }> {
  for (let admitted = 0; admitted <= 2 * RATE_LIMIT; admitted++) {
    const response = await call('/classify', emptyPost(headers), access);
    if (response.status === 429) return { admitted, refused: response };
    if (response.status !== 400) throw new Error(`expected 400 or 429, got ${response.status}: ${await response.text()}`);
    await response.body?.cancel();
  }
  throw new Error(`no 429 after ${2 * RATE_LIMIT + 1} requests`);
}
