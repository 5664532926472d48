/** API keys in workerd, through the real Worker: who gets past, what the others see, what /healthz shows them. */
import { describe, expect, it } from 'vitest';
import { withAccess } from '../index.ts';
import { call, emptyPost, envWith } from '../test-support.ts';
import { bearerToken, matchApiKey } from './keys.ts';
import { commaList } from '../list.ts';

const KEYS = ' key-one-0123456789 ,key-two-abcdefghij,, ';
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

async function expectUnauthorized(response: Response, presented?: string): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(401);
  expect(response.headers.get('WWW-Authenticate')).toBe('Bearer');
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('unauthorized');
  expect(body.error.message).toMatch(/Authorization: Bearer <key>/);
  if (presented) expect(text).not.toContain(presented);
  return body.error.message;
}

describe('API keys (API_KEYS)', () => {
  it('unset or empty: a POST without a key reaches the route as before', async () => {
    for (const API_KEYS of [undefined, '', ' , ']) {
      const response = await call('/classify', emptyPost(), { API_KEYS });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('empty_body');
    }
  });

  it('set: POST / and /classify without Authorization get 401 unauthorized with WWW-Authenticate: Bearer', async () => {
    for (const path of ['/', '/classify']) {
      expect(await expectUnauthorized(await call(path, emptyPost(), { API_KEYS: KEYS }))).toMatch(/needs an API key/);
    }
  });

  it('set: a wrong key, a near miss, a prefix, another scheme or an empty Bearer get 401 and are never echoed', async () => {
    const wrong = ['wrong-key-0000000000', 'key-one-0123456788', 'key-one-012345678', 'key-one-01234567890', 'key-two-abcdefghij,key-one-0123456789'];
    for (const key of wrong) expect(await expectUnauthorized(await call('/classify', emptyPost(auth(key)), { API_KEYS: KEYS }), key)).toMatch(/not carry a valid API key/);
    for (const header of ['Basic a2V5LW9uZS0wMTIzNDU2Nzg5', 'Bearer', 'Bearer ', 'key-one-0123456789', 'Bearerkey-one-0123456789']) {
      await expectUnauthorized(await call('/classify', emptyPost({ Authorization: header }), { API_KEYS: KEYS }), 'key-one-0123456789');
    }
  });

  it('set: each configured key (scheme in any case) gets through to the route, whose answer is unchanged', async () => {
    for (const header of ['Bearer key-one-0123456789', 'bearer key-two-abcdefghij', 'BEARER   key-two-abcdefghij']) {
      const response = await call('/classify', emptyPost({ Authorization: header }), { API_KEYS: KEYS });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('empty_body');
      expect(response.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('set: the page and unknown paths need no key; other methods still get 405', async () => {
    expect((await call('/', { method: 'GET' }, { API_KEYS: KEYS })).status).toBe(200);
    expect((await call('/nope', { method: 'GET' }, { API_KEYS: KEYS })).status).toBe(404);
    const put = await call('/classify', { method: 'PUT' }, { API_KEYS: KEYS });
    expect(put.status).toBe(405);
    expect(put.headers.get('Allow')).toBe('POST');
  });

  it('set: /healthz answers without a key but with only ok, keeping status and Retry-After; a key sees it all', async () => {
    const report = { ok: false, reason: 'GPU host unreachable at ws://10.0.0.5:8790', gpu: null, model: { key: 'm.onnx', sha256: 'ab'.repeat(32) } };
    const health = withAccess(async () => Response.json(report, { status: 503, headers: { 'Retry-After': '5' } }));
    const get = (headers: Record<string, string> = {}) => health(new Request('http://classifier.test/healthz', { headers }), envWith({ API_KEYS: KEYS }));

    for (const anonymous of [await get(), await get(auth('not-a-key'))]) {
      expect(anonymous.status).toBe(503);
      expect(anonymous.headers.get('Retry-After')).toBe('5');
      expect(await anonymous.json()).toEqual({ ok: false });
    }
    const holder = await get(auth('key-two-abcdefghij'));
    expect(holder.status).toBe(503);
    expect(await holder.json()).toEqual(report);
    // Keys off: everyone sees the whole report.
    const open = await health(new Request('http://classifier.test/healthz'), envWith({}));
    expect(await open.json()).toEqual(report);
  });

  it('parses keys and Bearer tokens, and matches only whole configured keys', async () => {
    expect(commaList(KEYS)).toEqual(['key-one-0123456789', 'key-two-abcdefghij']);
    expect(commaList(undefined)).toEqual([]);
    expect(bearerToken('Bearer abc.def-1~')).toBe('abc.def-1~');
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(await matchApiKey(KEYS, 'key-one-0123456789')).toBeInstanceOf(Uint8Array);
    expect(await matchApiKey(KEYS, 'key-two-abcdefghij')).toBeInstanceOf(Uint8Array);
    expect(await matchApiKey(KEYS, 'key-one-012345678')).toBeUndefined();
    expect(await matchApiKey(KEYS, '')).toBeUndefined();
    // A changed API_KEYS takes effect (the digests are cached per value, not once).
    expect(await matchApiKey('other-key', 'key-one-0123456789')).toBeUndefined();
    expect(await matchApiKey('other-key', 'other-key')).toBeInstanceOf(Uint8Array);
  });
});
