/** @module Sets one KEY=value line in a dotenv file (.dev.vars), keeping the other lines. */
import { readFile, writeFile } from 'node:fs/promises';

export async function writeDevVar(file: string, key: string, value: string): Promise<void> {
  const existing = await readFile(file, 'utf8').catch(() => '');
  const lines = existing.split('\n').filter((l) => l.trim() && !l.startsWith(`${key}=`));
  lines.push(`${key}=${value}`);
  await writeFile(file, lines.join('\n') + '\n', { mode: 0o600 });
}
