/**
 * @module One exception type for every HTTP error the Worker answers, rendered as SPEC.md's JSON body:
 * `{"error": {"code": "<slug>", "message": "<what was wrong and what to do>"}}`.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers on every response: no MIME sniffing of our JSON or text as HTML. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = { 'X-Content-Type-Options': 'nosniff' };

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
  });
}

/** What errorResponse renders: an HttpError, or an images/ ImageError (same fields, no headers). */
export interface ErrorLike {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export function errorResponse(e: ErrorLike, requestId?: string): Response {
  const body: { error: { code: string; message: string; request_id?: string } } = { error: { code: e.code, message: e.message } };
  if (requestId && e.status >= 500) body.error.request_id = requestId;
  return jsonResponse(body, e.status, e.headers);
}
