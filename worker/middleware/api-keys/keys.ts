/**
 * @module Checks a presented API key against the configured ones without leaking, through timing, which key
 * came close or how long the keys are.
 */
import { commaList } from '../list.ts';

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Digests of the configured keys, computed once per isolate for each distinct API_KEYS value. */
let cached: { raw: string; digests: Promise<Uint8Array[]> } | undefined;

function configuredDigests(raw: string): Promise<Uint8Array[]> {
  if (cached?.raw !== raw) cached = { raw, digests: Promise.all(commaList(raw).map(sha256)) };
  return cached.digests;
}

/**
 * The digest of `presented` when it is one of the keys in `raw`, else undefined. Both sides are hashed first so
 * every comparison is over 32 bytes (timingSafeEqual needs equal lengths, and unequal lengths would otherwise
 * return early), and every configured key is compared, match or not.
 */
export async function matchApiKey(raw: string, presented: string): Promise<Uint8Array | undefined> {
  const digests = await configuredDigests(raw);
  const candidate = await sha256(presented);
  let matched = false;
  for (const digest of digests) matched = crypto.subtle.timingSafeEqual(digest, candidate) || matched;
  return matched ? candidate : undefined;
}

/** `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750): the token, or undefined. */
export function bearerToken(header: string | null): string | undefined {
  return /^Bearer +([^\s]+) *$/i.exec(header ?? '')?.[1];
}
