/**
 * `npm start` (and a token-less GPU host) rewrite GPU_HOST_TOKEN in .dev.vars: whatever else the user keeps
 * there (API_KEYS, CORS_ORIGINS, comments, blank lines) must come out exactly as it went in. `npm start` also
 * reads API_KEYS from it, to ask /healthz with a key.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDevVar, writeDevVar } from './dev-vars.ts';

async function rewrite(before: string | undefined): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'dev-vars-')), '.dev.vars');
  if (before !== undefined) await writeFile(file, before);
  await writeDevVar(file, 'GPU_HOST_TOKEN', 'new-token');
  return readFile(file, 'utf8');
}

describe('writeDevVar (.dev.vars)', () => {
  it('replaces the token in place and keeps the access settings, comments and blank lines as they were', async () => {
    const before = [
      '# access, README "Access"',
      'API_KEYS=key-one,key-two',
      '',
      'GPU_HOST_TOKEN=old-token',
      'CORS_ORIGINS=http://localhost:5173',
      '',
    ].join('\n');
    expect(await rewrite(before)).toBe(before.replace('old-token', 'new-token'));
  });

  it('recognises the other ways dotenv spells an assignment, and leaves one token line', async () => {
    const before = 'export GPU_HOST_TOKEN=a\nAPI_KEYS=k\nGPU_HOST_TOKEN = b\n  GPU_HOST_TOKEN=c\nGPU_HOST_TOKEN_OLD=keep\n';
    expect(await rewrite(before)).toBe('GPU_HOST_TOKEN=new-token\nAPI_KEYS=k\nGPU_HOST_TOKEN_OLD=keep\n');
  });

  it('appends the token to a file without one, and creates a missing or empty file', async () => {
    expect(await rewrite('API_KEYS=k')).toBe('API_KEYS=k\nGPU_HOST_TOKEN=new-token\n');
    expect(await rewrite(undefined)).toBe('GPU_HOST_TOKEN=new-token\n');
    expect(await rewrite('')).toBe('GPU_HOST_TOKEN=new-token\n');
  });

  it('reads a value as dotenv does: the last assignment, outer quotes removed, absent when missing', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'dev-vars-')), '.dev.vars');
    await writeFile(file, '# API_KEYS=commented\nAPI_KEYS=old\nexport API_KEYS = "k1,k2"\nCORS_ORIGINS=\'*\'\n');
    expect(await readDevVar(file, 'API_KEYS')).toBe('k1,k2');
    expect(await readDevVar(file, 'CORS_ORIGINS')).toBe('*');
    expect(await readDevVar(file, 'MISSING')).toBeUndefined();
    expect(await readDevVar(path.join(file, 'nope'), 'API_KEYS')).toBeUndefined();
  });
});
