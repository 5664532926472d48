/** @module GET /: the upload page. */
import { SECURITY_HEADERS } from '../http/errors.ts';
import { UPLOAD_PAGE_HTML } from '../page/upload-page.ts';

export function handlePage(): Response {
  return new Response(UPLOAD_PAGE_HTML, {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'self'; img-src 'self' blob: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'", ...SECURITY_HEADERS },
  });
}
