/**
 * @module The front Worker: routes requests, turns uploads into tensors and asks the Classifier Durable
 * Object for labels. `fetch` only dispatches; each route is a named handler in routes/.
 */
import { HttpError, errorResponse } from './http/errors.ts';
import { ImageError } from '../images/errors.ts';
import { ConfigError } from '../durable-objects/serving-config.ts';
import { handleClassify } from './routes/classify.ts';
import { handleHealth } from './routes/health.ts';
import { handlePage } from './routes/page.ts';
import { withAccess } from './middleware/index.ts';
import type { Env } from './env.ts';

export { Classifier } from '../durable-objects/classifier.ts';
export { HostDirectory } from '../durable-objects/host-directory.ts';

interface Route {
  methods: Record<string, (request: Request, env: Env, url: URL) => Promise<Response> | Response>;
}

const ROUTES: Record<string, Route> = {
  '/': { methods: { GET: () => handlePage(), POST: handleClassify } },
  '/classify': { methods: { POST: handleClassify } },
  '/healthz': { methods: { GET: (_r, env) => handleHealth(env) } },
};

async function dispatch(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const route = ROUTES[url.pathname];
  if (!route) throw new HttpError(404, 'not_found', 'No such endpoint: POST an image to / or /classify, or GET /healthz.');
  const handler = route.methods[request.method];
  if (!handler) {
    const allow = Object.keys(route.methods).join(', ');
    throw new HttpError(405, 'method_not_allowed', `${request.method} is not allowed here; use ${allow}.`, { Allow: allow });
  }
  return handler(request, env, url);
}

const service = {
  async fetch(request, env): Promise<Response> {
    const requestId = crypto.randomUUID();
    let response: Response;
    try {
      response = await dispatch(request, env);
    } catch (e) {
      // ImageError carries its own status/code/message (400, 413, 415); it is rendered like an HttpError.
      if (e instanceof HttpError || e instanceof ImageError) {
        response = errorResponse(e);
      } else if (e instanceof ConfigError) {
        // The deployment's vars contradict themselves: say which, so the operator can fix wrangler.toml.
        console.error(`request ${requestId}: ${e.message}`);
        response = errorResponse(new HttpError(500, 'misconfigured', e.message), requestId);
      } else {
        // Details stay in the log; the client gets the id to quote.
        console.error(`request ${requestId} failed:`, e);
        response = errorResponse(new HttpError(500, 'internal_error', `Something went wrong on our side (request id ${requestId}).`), requestId);
      }
    }
    response.headers.set('X-Request-Id', requestId);
    return response;
  },
} satisfies ExportedHandler<Env>;

// API keys, rate limits and CORS (worker/middleware/) see every request and every response, errors included.
export default { fetch: withAccess(service.fetch) } satisfies ExportedHandler<Env>;
