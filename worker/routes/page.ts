/** @module GET /: the upload page. */
import { SECURITY_HEADERS } from '../http/errors.ts';
import { UPLOAD_PAGE_HTML } from '../page/upload-page.ts';

/**
 * The page is one document with inline CSS and script and nothing else: it may fetch only this origin
 * (/classify, /healthz), show only its own previews (blob:), and cannot be framed, re-based or post forms away.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "style-src 'unsafe-inline'",
  "script-src 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function handlePage(): Response {
  return new Response(UPLOAD_PAGE_HTML, {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': PAGE_CSP, ...SECURITY_HEADERS },
  });
}
