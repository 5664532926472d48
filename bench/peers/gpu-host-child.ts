/**
 * @module Starts the GPU host (gpu-host/main.ts) as a child process on an ephemeral loopback port, as `npm start`
 * runs it beside the service. A separate process matters on two cores: an in-process host shares the client's
 * event loop, so host-side work (Dawn event polling, frame decoding) would queue behind the client's and be
 * counted as bridge overhead that production never pays.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** gpu-host/main.ts prints this line once it accepts connections (scripts and tests wait for it too). */
const LISTENING = /\[gpu-host\] listening on (ws:\/\/\S+)/;
const START_TIMEOUT_MS = 60_000;

export interface ChildGpuHost {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startChildGpuHost(): Promise<ChildGpuHost> {
  const token = randomBytes(16).toString('hex');
  // The token goes through the environment, not argv, so it never shows in `ps`.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'gpu-host/main.ts', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, GPU_HOST_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  let log = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the GPU host did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.stdout!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = LISTENING.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      // Keep stderr for the error message; Dawn's adapter warnings land there too.
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the GPU host exited (${code}) before listening: ${log.split('\n').filter((l) => l.includes('[gpu-host]')).join(' ').slice(0, 300)}`));
      });
    });
    return { url, token, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
