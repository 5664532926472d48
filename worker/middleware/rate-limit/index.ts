/**
 * @module Rate limits with Cloudflare's Workers rate-limiting binding (`[[ratelimits]]` in wrangler.toml,
 * binding `RATE_LIMITER`; wrangler dev and vitest-pool-workers run the same binding locally). Each POST counts
 * against its API key, or without keys against the client IP; over the limit it gets 429 `rate_limited` with
 * Retry-After before its body is read. No binding, no limit.
 */
import { HttpError, errorResponse } from '../../http/errors.ts';
import { isGpuWork, type Middleware } from '../context.ts';

/** The binding's two periods; the longer one is the safe wait when RATE_LIMIT_PERIOD is unset. */
const PERIODS_S = [10, 60];
const DEFAULT_PERIOD_S = 60;

/**
 * Seconds a refused client should wait. The binding does not say when its window ends, but no request counts
 * for longer than one period: waiting that long is always enough, so that is what Retry-After promises.
 */
export function retryAfterSeconds(period: string | undefined): number {
  const n = Number(period);
  return PERIODS_S.includes(n) ? n : DEFAULT_PERIOD_S;
}

/** Cloudflare sets CF-Connecting-IP to the client's address (wrangler dev: the loopback peer). */
function clientIp(request: Request): string {
  return `ip:${request.headers.get('CF-Connecting-IP') ?? 'unknown'}`;
}

export const rateLimit: Middleware = async function rateLimit(c, next) {
  const limiter = c.env.RATE_LIMITER;
  if (!limiter || !isGpuWork(c.request)) return next();
  let allowed: boolean;
  try {
    allowed = (await limiter.limit({ key: c.client ?? clientIp(c.request) })).success;
  } catch (e) {
    // A limiter outage must not take the service down with it: serve, and say so in the log.
    console.error('rate limiter unavailable, request let through:', (e as Error).message);
    allowed = true;
  }
  if (allowed) return next();
  const wait = retryAfterSeconds(c.env.RATE_LIMIT_PERIOD);
  return errorResponse(
    new HttpError(429, 'rate_limited', `Too many requests from this ${c.client ? 'API key' : 'client'}: wait ${wait} s (Retry-After) and send again.`, {
      'Retry-After': String(wait),
    }),
  );
};
