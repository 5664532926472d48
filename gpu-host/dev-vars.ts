/** @module Reads or sets one KEY=value line in a dotenv file (.dev.vars), keeping the other lines. */
import { readFile, writeFile } from 'node:fs/promises';

export async function writeDevVar(file: string, key: string, value: string): Promise<void> {
  const existing = await readFile(file, 'utf8').catch(() => '');
  const lines = existing.split('\n').filter((l) => l.trim() && !l.startsWith(`${key}=`));
  lines.push(`${key}=${value}`);
  await writeFile(file, lines.join('\n') + '\n', { mode: 0o600 });
}

/** The value of `key` in the file, or undefined when the file or the line is missing or the value empty. */
export async function readDevVar(file: string, key: string): Promise<string | undefined> {
  const existing = await readFile(file, 'utf8').catch(() => '');
  const line = existing.split('\n').find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1).trim() || undefined;
}
