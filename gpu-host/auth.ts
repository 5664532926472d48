/** @module Token check for GPU host connections. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time in the token's content; hashing first also hides the expected length. */
export function tokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || !expected) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
