/** CORS in workerd through the real Worker: preflights, headers on answers and errors, origins left out. */
import { describe, expect, it } from 'vitest';
import { burst, call, emptyPost, freshIp, RATE_LIMITER } from '../test-support.ts';
import { parseCorsOrigins } from './index.ts';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';
const CORS_ORIGINS = `${APP}, http://localhost:5173`;
const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age', 'access-control-expose-headers'];

const preflight = (origin: string, method = 'POST'): RequestInit => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization,content-type' },
});

function corsHeadersOf(response: Response): string[] {
  return CORS_HEADERS.filter((h) => response.headers.has(h));
}

describe('CORS (CORS_ORIGINS)', () => {
  it('allowed origin: a preflight gets 204 with the origin, POST, Authorization and Content-Type, and a max age', async () => {
    for (const path of ['/classify', '/', '/healthz']) {
      const response = await call(path, preflight(APP), { CORS_ORIGINS });
      expect(response.status).toBe(204);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe(APP);
      expect(response.headers.get('Access-Control-Allow-Methods')).toBe('POST');
      expect(response.headers.get('Access-Control-Allow-Headers')).toBe('Authorization, Content-Type');
      expect(Number(response.headers.get('Access-Control-Max-Age'))).toBeGreaterThan(0);
      expect(response.headers.get('Vary')).toBe('Origin');
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(await response.text()).toBe('');
    }
  });

  it('allowed origin: every answer carries the origin and Vary: Origin, errors too (400, 401, 404, 405, 429)', async () => {
    const headers = { Origin: APP };
    const answers = [
      await call('/', { headers }, { CORS_ORIGINS }),
      await call('/classify', emptyPost(headers), { CORS_ORIGINS }),
      await call('/classify', emptyPost(headers), { CORS_ORIGINS, API_KEYS: 'cors-key-1234567' }),
      await call('/nope', { headers }, { CORS_ORIGINS }),
      await call('/classify', { method: 'GET', headers }, { CORS_ORIGINS }),
      (await burst({ ...headers, 'CF-Connecting-IP': freshIp() }, { CORS_ORIGINS, RATE_LIMITER })).refused,
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 400, 401, 404, 405, 429]);
    for (const response of answers) {
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe(APP);
      expect(response.headers.get('Vary')).toMatch(/\bOrigin\b/);
      expect(response.headers.get('Access-Control-Expose-Headers')).toMatch(/Retry-After/);
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });

  it('another origin gets no CORS headers: its preflight is the usual 405, its POST is answered without them', async () => {
    const pre = await call('/classify', preflight(OTHER), { CORS_ORIGINS });
    expect(pre.status).toBe(405);
    expect(corsHeadersOf(pre)).toEqual([]);
    const post = await call('/classify', emptyPost({ Origin: OTHER }), { CORS_ORIGINS });
    expect(post.status).toBe(400);
    expect(corsHeadersOf(post)).toEqual([]);
    expect(post.headers.get('Vary')).toBe('Origin');
    // Near misses of an allowed origin are other origins.
    for (const origin of ['http://app.example.com', 'https://app.example.com:8443', 'https://app.example.com.evil.net', 'null']) {
      expect(corsHeadersOf(await call('/classify', preflight(origin), { CORS_ORIGINS }))).toEqual([]);
    }
  });

  it('unset: no CORS headers at all and OPTIONS stays a 405 with Allow (same origin only, as before)', async () => {
    const pre = await call('/classify', preflight(APP));
    expect(pre.status).toBe(405);
    expect(pre.headers.get('Allow')).toBe('POST');
    expect(corsHeadersOf(pre)).toEqual([]);
    const post = await call('/classify', emptyPost({ Origin: APP }));
    expect(corsHeadersOf(post)).toEqual([]);
    expect(post.headers.get('Vary')).toBeNull();
  });

  it('"*" allows any origin, answered with that origin', async () => {
    const response = await call('/classify', preflight(OTHER), { CORS_ORIGINS: '*' });
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(OTHER);
  });

  it('origins are compared as origins: case of the host and a trailing slash do not matter', () => {
    expect(parseCorsOrigins(' https://App.Example.com/ ,http://localhost:5173')).toEqual(new Set([APP, 'http://localhost:5173']));
    expect(parseCorsOrigins('https://a.example, *')).toBe('*');
    expect(parseCorsOrigins(undefined)).toBeUndefined();
    expect(parseCorsOrigins(' , ')).toBeUndefined();
  });
});
