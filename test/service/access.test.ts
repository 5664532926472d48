/**
 * Access control on the real service (wrangler dev + GPU host), configured as a user would: API_KEYS and
 * CORS_ORIGINS in .dev.vars, the `[[ratelimits]]` block of wrangler.toml switched on (5 requests per 10 s here).
 * Every status of SPEC's "Access" paragraph over HTTP, a real cross-origin fetch from pages on two other local
 * origins in headless Chromium, the upload page's key prompt, a burst over the limit, and no key in any log.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../scripts/project-config.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { colourProbeModel, COLOUR_LABELS, expectError } from '../reliability/support.ts';
import { startService, type Service } from './harness.ts';
import { multipart, solidPng } from './images.ts';

/** The limit this test configures: small, so a burst is a handful of cheap requests and the wait is short. */
const RATE_LIMIT = { limit: 5, period: 10 } as const;

/** One key per test that spends allowance, so no test eats into another's (the limit is per key). */
const key = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;
const KEYS = { http: key('http'), browser: key('browser'), page: key('page'), burst: key('burst'), other: key('other') };
const WRONG_KEY = key('wrong');

/*
 * The DOM names the in-page callbacks use, declared for this module only (the project compiles against Node's
 * types; lib "dom" for the whole program would change globals for every other file).
 */
interface PageElement {
  textContent: string | null;
  hidden: boolean;
  dataset: Record<string, string | undefined>;
}
declare const document: { body: PageElement; getElementById(id: string): PageElement | null; querySelectorAll(s: string): ArrayLike<PageElement> };

interface JsonAnswer {
  top: { label: string; probability: number }[];
}

/** A tiny site on its own loopback port: another origin for the browser, serving an empty page. */
async function otherOrigin(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>another app</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, server };
}

/** What a browser app on `page`'s origin gets from fetch(): status, readable headers and body, or the error. */
function fetchFromPage(page: Page, url: string, init: { method?: string; key?: string; png?: number[] }) {
  return page.evaluate(async ({ url, init }) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (init.key) headers.Authorization = `Bearer ${init.key}`;
    let body: FormData | undefined;
    if (init.png) {
      body = new FormData();
      body.append('file', new Blob([new Uint8Array(init.png)], { type: 'image/png' }), 'red.png');
    }
    try {
      const r = await fetch(url, { method: init.method ?? 'GET', headers, body });
      return { status: r.status, requestId: r.headers.get('X-Request-Id'), body: await r.text(), error: null };
    } catch (e) {
      return { status: 0, requestId: null, body: '', error: String(e) };
    }
  }, { url, init });
}

describe('access: API keys, rate limit, CORS (wrangler dev + GPU host + headless Chromium)', () => {
  let service: Service;
  let browser: Browser;
  let allowed: { origin: string; server: Server };
  let blocked: { origin: string; server: Server };
  let red: Uint8Array;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    [allowed, blocked, red] = await Promise.all([otherOrigin(), otherOrigin(), solidPng([220, 30, 30])]);
    [service, browser] = await Promise.all([
      startService({
        model: colourProbeModel(),
        labels: COLOUR_LABELS,
        devVars: { API_KEYS: Object.values(KEYS).join(','), CORS_ORIGINS: allowed.origin },
        rateLimit: RATE_LIMIT,
      }),
      launchChromium(),
    ]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    allowed?.server.close();
    blocked?.server.close();
  });

  const post = (headers: Record<string, string>, body: FormData | Uint8Array = multipart(red, 'image/png'), path = '/classify?format=json') =>
    fetch(`${service.url}${path}`, { method: 'POST', headers, body });
  const bearer = (k: string) => ({ Authorization: `Bearer ${k}` });

  it('wrangler.toml ships the rate-limit block the service uses, commented out (access is off unless configured)', async () => {
    const toml = await readFile(path.join(PROJECT_ROOT, 'wrangler.toml'), 'utf8');
    expect(parse(toml).ratelimits).toBeUndefined();
    const block = toml.slice(toml.indexOf('# [[ratelimits]]')).split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('# ')));
    const shipped = (parse(block.map((l) => l.slice(2)).join('\n')) as { ratelimits: { name: string; simple: { period: number } }[] }).ratelimits;
    expect(shipped).toHaveLength(1);
    expect(shipped[0].name).toBe('RATE_LIMITER');
    expect([10, 60]).toContain(shipped[0].simple.period);
  });

  it('POST without a key, with a wrong one or another scheme: 401 unauthorized with WWW-Authenticate: Bearer', async () => {
    for (const [headers, path] of [[{}, '/classify'], [{}, '/'], [bearer(WRONG_KEY), '/classify'], [{ Authorization: `Basic ${btoa(`u:${KEYS.http}`)}` }, '/']] as const) {
      const response = await post(headers, multipart(red, 'image/png'), path);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = await expectError(response, 401, 'unauthorized');
      expect(JSON.stringify(body)).not.toContain(WRONG_KEY);
    }
  });

  it('a valid key classifies as usual; /healthz shows only ok without one and everything with one', async () => {
    const answer = await post(bearer(KEYS.http));
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as JsonAnswer).top[0].label).toBe('red');

    const anonymous = await fetch(`${service.url}/healthz`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ ok: true });
    const holder = await fetch(`${service.url}/healthz`, { headers: bearer(KEYS.http) });
    expect(holder.status).toBe(200);
    expect(await holder.json()).toMatchObject({ ok: true, gpu: { vendor: expect.any(String) }, model: { loaded: true } });

    // The page itself needs no key (it asks for one).
    expect((await fetch(`${service.url}/`)).status).toBe(200);
  });

  it('a 401 to a large upload is answered without reading it, and the next request is served normally', async () => {
    const big = new Uint8Array(8 << 20).fill(7);
    for (let i = 0; i < 3; i++) await expectError(await post({ 'Content-Type': 'image/png' }, big), 401, 'unauthorized');
    const next = await post(bearer(KEYS.http));
    expect(next.status).toBe(200);
    expect(((await next.json()) as JsonAnswer).top[0].label).toBe('red');
  });

  it('CORS over HTTP: preflight 204 for the allowed origin, its errors carry the origin too; another origin gets none', async () => {
    const preflight = (origin: string) =>
      fetch(`${service.url}/classify`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } });
    const ok = await preflight(allowed.origin);
    expect(ok.status).toBe(204);
    expect(Object.fromEntries([...ok.headers].filter(([k]) => k.startsWith('access-control-') || k === 'vary'))).toEqual({
      'access-control-allow-origin': allowed.origin,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-max-age': '7200',
      vary: 'Origin',
    });
    const refused = await preflight(blocked.origin);
    expect(refused.status).toBe(405);
    expect([...refused.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);

    const unauthorized = await post({ Origin: allowed.origin });
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(unauthorized.headers.get('vary')).toBe('Origin');
    await expectError(unauthorized, 401, 'unauthorized');
    const other = await post({ Origin: blocked.origin });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    await expectError(other, 401, 'unauthorized');
  });

  it('headless Chromium: a page on the allowed origin calls the API cross-origin; one on another origin is blocked', async () => {
    const pageOn = async (origin: string) => {
      const page = await browser.newPage();
      page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
      await page.goto(`${origin}/`);
      return page;
    };
    const png = [...red];
    const good = await pageOn(allowed.origin);
    const classified = await fetchFromPage(good, `${service.url}/classify?format=json`, { method: 'POST', key: KEYS.browser, png });
    expect(classified.error).toBeNull();
    expect(classified.status).toBe(200);
    expect((JSON.parse(classified.body) as JsonAnswer).top[0].label).toBe('red');
    expect(classified.requestId).toMatch(/^[0-9a-f-]{36}$/); // exposed to the page: Access-Control-Expose-Headers
    // Errors reach the app too, in words: it can tell its user to send a key.
    const keyless = await fetchFromPage(good, `${service.url}/classify?format=json`, { method: 'POST', png });
    expect(keyless.status).toBe(401);
    expect((JSON.parse(keyless.body) as { error: { code: string } }).error.code).toBe('unauthorized');
    const health = await fetchFromPage(good, `${service.url}/healthz`, { key: KEYS.browser });
    expect(JSON.parse(health.body)).toMatchObject({ ok: true, model: { loaded: true } });

    const bad = await pageOn(blocked.origin);
    for (const attempt of [
      await fetchFromPage(bad, `${service.url}/classify?format=json`, { method: 'POST', key: KEYS.browser, png }),
      await fetchFromPage(bad, `${service.url}/healthz`, {}),
    ]) {
      expect(attempt.status).toBe(0);
      expect(attempt.error).toMatch(/TypeError: Failed to fetch/);
    }
    expect(consoleErrors.filter((e) => e.includes(`from origin '${blocked.origin}' has been blocked by CORS policy`)).length).toBeGreaterThanOrEqual(2);
    expect(consoleErrors.filter((e) => e.includes(allowed.origin))).toEqual([]);
    await Promise.all([good.close(), bad.close()]);
  });

  it('the upload page asks for a key when the service needs one, and classifies with it', async () => {
    const page = await browser.newPage();
    await page.goto(service.url);
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'warn');
    expect(await page.evaluate(() => [document.getElementById('status')?.textContent, document.getElementById('key-form')?.hidden])).toEqual(['Ready · API key needed', false]);

    await page.setInputFiles('#file', { name: 'red.png', mimeType: 'image/png', buffer: Buffer.from(red) });
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    expect(await page.evaluate(() => document.getElementById('error-title')?.textContent)).toBe('An API key is needed');

    await page.fill('#key', KEYS.page);
    await page.click('#key-form button');
    await page.waitForFunction(() => document.body.dataset.state === 'done' && document.getElementById('key-form')?.hidden === true);
    const shown = await page.evaluate(() => ({
      first: document.querySelectorAll('#labels .label')[0]?.textContent,
      status: document.getElementById('status')?.dataset.state,
      curl: document.getElementById('curl')?.textContent,
    }));
    expect(shown.first).toBe('red');
    expect(shown.status).not.toBe('warn');
    expect(shown.curl).toContain('Authorization: Bearer <key>');
    await page.close();
  });

  it(`a burst over the limit (${RATE_LIMIT.limit} per ${RATE_LIMIT.period} s per key) gets 429 with Retry-After; afterwards the key is served again`, async () => {
    const started = Date.now();
    const statuses: number[] = [];
    let refused: Response | undefined;
    // Empty bodies (400 once past the limiter) keep the burst cheap. The limiter counts in fixed windows, so a
    // burst that straddles a window's end gets up to twice the limit through: send until refused, bounded.
    while (!refused && statuses.length <= 2 * RATE_LIMIT.limit) {
      const response = await post({ ...bearer(KEYS.burst), 'Content-Type': 'image/png' }, new Uint8Array());
      statuses.push(response.status);
      if (response.status === 429) refused = response;
      else await response.body?.cancel();
    }
    const admitted = statuses.filter((s) => s === 400).length;
    expect(statuses.slice(0, admitted).every((s) => s === 400)).toBe(true);
    expect(admitted).toBeGreaterThanOrEqual(RATE_LIMIT.limit);
    expect(refused, `statuses ${statuses}`).toBeDefined();
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBe(RATE_LIMIT.period);
    expect((await expectError(refused!, 429, 'rate_limited')).error.message).toContain(`wait ${RATE_LIMIT.period} s`);
    const burstMs = Date.now() - started;

    // Only that key is limited: another key and /healthz answer as usual meanwhile.
    expect((await post(bearer(KEYS.other))).status).toBe(200);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    const after = await post(bearer(KEYS.burst));
    expect(after.status).toBe(200);
    expect(((await after.json()) as JsonAnswer).top[0].label).toBe('red');
    console.log(
      `rate limit ${RATE_LIMIT.limit}/${RATE_LIMIT.period} s: burst of ${statuses.length} requests in ${burstMs} ms, ${admitted} admitted, ` +
        `429 on request ${statuses.length} with Retry-After ${retryAfter}; after waiting ${retryAfter} s the same key got 200`,
    );
  }, 60_000);

  it('no key, valid or wrong, appears in the log output of wrangler, workerd or the GPU host', () => {
    const logs = service.logs.join('');
    expect(logs).toMatch(/POST \/classify/); // the requests above were logged...
    for (const k of [...Object.values(KEYS), WRONG_KEY]) expect(logs).not.toContain(k); // ...their keys were not
  });
});
