/**
 * @module Writes the seeded SqueezeNet stand-ins to models/generated/. `npm run model:generate` runs it; the test
 * global setup calls `ensureGeneratedModels` so a fresh checkout needs no extra step.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { GENERATED_DIR, SQUEEZENET10_PATH, SQUEEZENET11_PATH } from './paths.ts';
import { DEFAULT_SEED, buildSqueezeNet10, buildSqueezeNet11 } from './squeezenet.ts';

export interface GeneratedModelPaths {
  squeezenet11: string;
  squeezenet10: string;
}

async function sameBytes(path: string, bytes: Uint8Array): Promise<boolean> {
  try {
    return Buffer.from(bytes).equals(await readFile(path));
  } catch {
    return false;
  }
}

/**
 * Builds each model and rewrites its file only when missing or different. Building takes well under a second, and
 * comparing bytes (not mere existence) means a change to the generator or seed can never leave a stale model behind.
 */
async function writeIfChanged(path: string, bytes: Uint8Array): Promise<boolean> {
  if (await sameBytes(path, bytes)) return false;
  // Write then rename, so a test worker reading concurrently never sees half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
  return true;
}

export async function ensureGeneratedModels(seed: number = DEFAULT_SEED): Promise<GeneratedModelPaths> {
  await mkdir(GENERATED_DIR, { recursive: true });
  await writeIfChanged(SQUEEZENET11_PATH, buildSqueezeNet11(seed));
  await writeIfChanged(SQUEEZENET10_PATH, buildSqueezeNet10(seed));
  return { squeezenet11: SQUEEZENET11_PATH, squeezenet10: SQUEEZENET10_PATH };
}

async function main(): Promise<void> {
  const paths = await ensureGeneratedModels();
  for (const p of Object.values(paths)) console.log(p);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
