/**
 * Strict TypeScript is part of the build: both programs (Node side, and the Worker side with Workers types)
 * must type-check with no errors.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/project-config.ts';

const run = promisify(execFile);
const TSC = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');

async function typecheck(project: string): Promise<string> {
  try {
    await run(TSC, ['-p', project, '--noEmit'], { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (e) {
    return (e as { stdout?: string }).stdout ?? String(e);
  }
}

describe('typecheck', () => {
  it.each(['tsconfig.json', 'worker/tsconfig.json'])('%s has no type errors', async (project) => {
    expect(await typecheck(project)).toBe('');
  }, 180_000);
});
