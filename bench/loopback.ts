/** @module The service bench only ever sends load to this machine: a benchmark must not become a load generator. */
import { isLoopbackHost } from '../bridge/socket.ts';

/** The URL to POST images to; throws for anything but http(s) on a loopback address. */
export function loopbackClassifyUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--url "${raw}" is not a URL (e.g. http://127.0.0.1:8787)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--url must be http(s), got ${url.protocol}`);
  if (!isLoopbackHost(url.hostname)) throw new Error(`--url must be a loopback address (127.0.0.1, localhost, [::1]); refusing ${url.hostname}`);
  // A bare origin means the service's classify route.
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/classify';
  return url;
}
