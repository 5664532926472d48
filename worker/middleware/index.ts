/**
 * @module Who may use the service, wrapped around the Worker's whole fetch handler (errors included):
 * CORS outermost, so every answer to an allowed origin carries its headers (401 and 429 too), then API keys,
 * then the rate limit, which counts only callers the keys let in. All three are off until configured.
 */
import { apiKeys } from './api-keys/index.ts';
import { cors } from './cors/index.ts';
import { rateLimit } from './rate-limit/index.ts';
import type { AccessContext, AccessEnv, Middleware } from './context.ts';

const STACK: readonly Middleware[] = [cors, apiKeys, rateLimit];

type Handler<R extends Request, E> = (request: R, env: E) => Promise<Response>;

/** `handler` behind the access middleware, in STACK order. */
export function withAccess<R extends Request, E extends AccessEnv>(handler: Handler<R, E>): Handler<R, E> {
  return function guarded(request, env) {
    const c: AccessContext = { request, env, url: new URL(request.url) };
    const run = (i: number): Promise<Response> => (i < STACK.length ? STACK[i](c, () => run(i + 1)) : handler(request, env));
    return run(0);
  };
}
