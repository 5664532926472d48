/** Rate limits in workerd with the real rate-limiting binding (vitest.config.ts: 3 per 10 s), through the real Worker. */
import { describe, expect, it } from 'vitest';
import { burst, call, emptyPost, freshIp, RATE_LIMIT, RATE_LIMITER } from '../test-support.ts';
import { retryAfterSeconds } from './index.ts';

async function expectRateLimited(response: Response, retryAfter: string): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get('Retry-After')).toBe(retryAfter);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('rate_limited');
  expect(body.error.message).toContain(`wait ${retryAfter} s`);
}

describe('rate limits (RATE_LIMITER binding)', () => {
  it('without keys: counts per client IP; over the limit 429 rate_limited with Retry-After, others unaffected', async () => {
    const [a, b] = [freshIp(), freshIp()];
    const access = { RATE_LIMITER, RATE_LIMIT_PERIOD: '10' };
    const { admitted, refused } = await burst({ 'CF-Connecting-IP': a }, access);
    expect(admitted).toBeGreaterThanOrEqual(RATE_LIMIT);
    await expectRateLimited(refused, '10');
    // Another client is counted on its own.
    expect((await call('/classify', emptyPost({ 'CF-Connecting-IP': b }), access)).status).toBe(400);
  });

  it('with keys: counts per key, not per IP; a refused or keyless caller spends nothing', async () => {
    const ip = freshIp();
    const access = { RATE_LIMITER, API_KEYS: 'rl-key-a-111111,rl-key-b-222222', RATE_LIMIT_PERIOD: '10' };
    // 401s are answered before the limiter: they do not use up the client's or anyone's allowance.
    for (let i = 0; i < 2 * RATE_LIMIT; i++) expect((await call('/classify', emptyPost({ 'CF-Connecting-IP': ip }), access)).status).toBe(401);
    const { admitted, refused } = await burst({ 'CF-Connecting-IP': ip, Authorization: 'Bearer rl-key-a-111111' }, access);
    expect(admitted).toBeGreaterThanOrEqual(RATE_LIMIT);
    await expectRateLimited(refused, '10');
    // Same address, other key: its own allowance.
    expect((await call('/classify', emptyPost({ 'CF-Connecting-IP': ip, Authorization: 'Bearer rl-key-b-222222' }), access)).status).toBe(400);
  });

  it('counts only POSTs: the page, /nope and preflights from a limited client still answer', async () => {
    const ip = freshIp();
    const access = { RATE_LIMITER };
    await expectRateLimited((await burst({ 'CF-Connecting-IP': ip }, access)).refused, '60');
    expect((await call('/', { headers: { 'CF-Connecting-IP': ip } }, access)).status).toBe(200);
    expect((await call('/nope', { headers: { 'CF-Connecting-IP': ip } }, access)).status).toBe(404);
    expect((await call('/classify', { method: 'OPTIONS', headers: { 'CF-Connecting-IP': ip } }, access)).status).toBe(405);
  });

  it('without the binding nothing is limited', async () => {
    for (let i = 0; i < 3 * RATE_LIMIT; i++) expect((await call('/classify', emptyPost({ 'CF-Connecting-IP': '198.51.100.250' }))).status).toBe(400);
  });

  it('Retry-After is the configured period, or 60 s (the longest the binding allows) when unset or not a period', () => {
    expect(retryAfterSeconds('10')).toBe(10);
    expect(retryAfterSeconds('60')).toBe(60);
    for (const period of [undefined, '', '30', 'ten']) expect(retryAfterSeconds(period)).toBe(60);
  });
});
