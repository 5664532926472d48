/** @module Test helpers: a raw protocol client (for hostile frames), a GPU host child process, /healthz polling. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ByteReader, ByteWriter, readHeader, readReply, writeCommand, writeHeader, type CommandArgs, type Reply } from '../bridge/codec.ts';
import { FrameKind } from '../bridge/protocol.ts';
import type { GpuHostHealth } from './server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export { helloFrame } from '../bridge/handshake.ts';

export function batchFrame(commands: [op: number, args?: CommandArgs][]): Uint8Array {
  const w = new ByteWriter();
  writeHeader(w, FrameKind.Batch, 1);
  for (const [op, args] of commands) writeCommand(w, op, args);
  return w.take();
}

/** A client that speaks the wire protocol directly, to send what the bridge client never would. */
export class RawClient {
  readonly replies: Reply[] = [];
  readonly frames: Uint8Array[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly #ws: WebSocket;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data);
      this.frames.push(bytes);
      try {
        const r = new ByteReader(bytes);
        const h = readHeader(r);
        if (h.kind === FrameKind.Replies) while (r.remaining > 0) this.replies.push(readReply(r));
      } catch {
        // the welcome frame or garbage; kept in frames
      }
      this.#wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  static async connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  send(frame: Uint8Array | string): void {
    this.#ws.send(frame);
  }

  /** Waits until `done()` holds or the socket closes, at most `ms`. */
  async until(done: () => boolean, ms = 10_000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!done() && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
    return done();
  }

  reply(callId: number): Reply | undefined {
    return this.replies.find((r) => r.callId === callId);
  }

  events(type?: string): { type: string; message?: string; error?: { message: string } }[] {
    return this.replies
      .filter((r) => r.callId === 0)
      .map((r) => r.json as { type: string; message?: string; error?: { message: string } })
      .filter((e) => !type || e.type === type);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  close(): void {
    this.#ws.close();
  }
}

export async function health(port: number): Promise<GpuHostHealth> {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`);
  return (await r.json()) as GpuHostHealth;
}

/** Polls /healthz until `ok(h)`; returns the last reading. */
export async function waitForHealth(port: number, ok: (h: GpuHostHealth) => boolean, ms = 10_000): Promise<GpuHostHealth> {
  const deadline = Date.now() + ms;
  let h = await health(port);
  while (!ok(h) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    h = await health(port);
  }
  return h;
}

export interface HostProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output: () => string;
}

/** Runs the real CLI (`gpu-host/main.ts`) and waits for its "listening on" line. */
export async function spawnHost(token: string | { devVars: string }, port = 0): Promise<HostProcess> {
  const auth = typeof token === 'string' ? ['--token', token] : ['--dev-vars', token.devVars];
  const env: NodeJS.ProcessEnv = { ...process.env, EGL_PLATFORM: 'surfaceless' };
  delete env.GPU_HOST_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', 'gpu-host/main.ts', '--port', String(port), ...auth], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const listening = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gpu-host did not start:\n${out}`)), 60_000);
    const check = (): void => {
      const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gpu-host exited with ${code}:\n${out}`));
    });
  });
  return { child, port: listening, url: `ws://127.0.0.1:${listening}`, output: () => out };
}

export function killHost(h: HostProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    h.child.once('exit', () => resolve());
    h.child.kill(signal);
  });
}
