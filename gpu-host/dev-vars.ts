/**
 * @module Reads and sets KEY=value lines of a dotenv file (.dev.vars). Setting one keeps every other line where
 * it was: the user's API_KEYS, CORS_ORIGINS, comments and blank lines survive each `npm start`.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** `KEY=`, `KEY =` or `export KEY=`: the forms dotenv (and so wrangler) reads as an assignment to KEY. */
function assigns(line: string, key: string): boolean {
  return new RegExp(`^\\s*(export\\s+)?${key}\\s*=`).test(line);
}

export async function writeDevVar(file: string, key: string, value: string): Promise<void> {
  const existing = await readFile(file, 'utf8').catch(() => '');
  const lines = existing === '' ? [] : existing.replace(/\n+$/, '').split('\n');
  const line = `${key}=${value}`;
  // The first assignment is replaced in place; later ones (which would win in dotenv) are dropped.
  const first = lines.findIndex((l) => assigns(l, key));
  const updated = lines.filter((l, i) => i === first || !assigns(l, key)).map((l) => (assigns(l, key) ? line : l));
  if (first < 0) updated.push(line);
  await writeFile(file, updated.join('\n') + '\n', { mode: 0o600 });
}

/** The value of the last `KEY=value` line (dotenv's rule), outer quotes removed; undefined without one or when empty. */
export async function readDevVar(file: string, key: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const line = text.split('\n').filter((l) => assigns(l, key)).at(-1);
  return line?.slice(line.indexOf('=') + 1).trim().replace(/^(['"])(.*)\1$/, '$2') || undefined;
}
