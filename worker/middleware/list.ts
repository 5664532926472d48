/** @module API_KEYS and CORS_ORIGINS are lists in one string (a secret or var); `npm start` reads API_KEYS too. */

/** Commas (and stray whitespace) separate the entries; empty entries are dropped. */
export function commaList(raw: string | undefined): string[] {
  return (raw ?? '').split(/[\s,]+/).filter(Boolean);
}
