/**
 * @module What the access middleware share: the settings they read from the Worker's env, the per-request
 * context they pass along, and the one rule for which requests cost GPU time.
 */

/** Access settings; every one is optional and an unset one leaves the service as open as before (SPEC "Access"). */
export interface AccessEnv {
  /** Secret: comma-separated API keys. Set, every POST needs `Authorization: Bearer <one of them>`. */
  API_KEYS?: string;
  /** Var: comma-separated origins allowed to call the API from a browser, or `*` for any. */
  CORS_ORIGINS?: string;
  /** The `[[ratelimits]]` binding of wrangler.toml; absent, nothing is rate limited. */
  RATE_LIMITER?: RateLimit;
  /** Var: the binding's `simple.period` in seconds (10 or 60), sent as Retry-After; default 60, the longest. */
  RATE_LIMIT_PERIOD?: string;
}

export interface AccessContext {
  request: Request;
  env: AccessEnv;
  url: URL;
  /**
   * Who is asking, as the rate limiter counts them: set by api-keys to a digest of the key that was accepted;
   * unset, rate-limit counts by client IP.
   */
  client?: string;
}

export type Next = () => Promise<Response>;
export type Middleware = (c: AccessContext, next: Next) => Promise<Response>;

/** Every POST runs a model (today / and /classify): those need a key and count against the rate limit. */
export function isGpuWork(request: Request): boolean {
  return request.method === 'POST';
}
