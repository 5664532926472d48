/**
 * @module Reads and writes objects in the local R2 that `wrangler dev` serves, through wrangler's own CLI so
 * the storage format is always the one the running wrangler expects.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_STATE_DIR, PROJECT_ROOT } from './project-config.ts';

const run = promisify(execFile);
/** The project's wrangler binary (also what `npm start` runs `wrangler dev` with). */
export const WRANGLER = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'wrangler');

/** wrangler must not phone home: the service runs offline. */
export const OFFLINE_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

async function wrangler(args: string[], persistTo: string): Promise<string> {
  const { stdout } = await run(WRANGLER, ['r2', 'object', ...args, '--local', '--persist-to', persistTo], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...OFFLINE_ENV },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export async function putLocalObject(bucket: string, key: string, data: Uint8Array, persistTo = LOCAL_STATE_DIR): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'r2-put-'));
  try {
    const file = path.join(dir, 'object');
    await writeFile(file, data);
    await wrangler(['put', `${bucket}/${key}`, '--file', file], persistTo);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The object's bytes, or undefined when the key is not stored. */
export async function getLocalObject(bucket: string, key: string, persistTo = LOCAL_STATE_DIR): Promise<Uint8Array | undefined> {
  const dir = await mkdtemp(path.join(tmpdir(), 'r2-get-'));
  try {
    const file = path.join(dir, 'object');
    try {
      await wrangler(['get', `${bucket}/${key}`, '--file', file], persistTo);
    } catch {
      return undefined;
    }
    return new Uint8Array(await readFile(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function deleteLocalObject(bucket: string, key: string, persistTo = LOCAL_STATE_DIR): Promise<void> {
  await wrangler(['delete', `${bucket}/${key}`], persistTo).catch(() => undefined);
}
