/** @module Writes a generated model only when its bytes changed, atomically. */
import { readFile, rename, writeFile } from 'node:fs/promises';

async function sameBytes(path: string, bytes: Uint8Array): Promise<boolean> {
  try {
    return Buffer.from(bytes).equals(await readFile(path));
  } catch {
    return false;
  }
}

/**
 * Rewrites the file only when missing or different. Comparing bytes (not mere existence) means a change to a
 * generator or seed can never leave a stale model behind. Returns whether it wrote.
 */
export async function writeIfChanged(path: string, bytes: Uint8Array): Promise<boolean> {
  if (await sameBytes(path, bytes)) return false;
  // Write then rename, so a test worker reading concurrently never sees half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
  return true;
}
