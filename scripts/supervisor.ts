/**
 * @module Keeps a child process running for `npm start`: its output prefixed with its name, and when it exits
 * without being asked to, a log line and a restart after a bounded exponential backoff (1 s, 2 s, 4 s ... 30 s;
 * back to 1 s once a run lasted a minute). Each child gets its own process group, so stopping it also ends what
 * it started (wrangler's workerd).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** A run at least this long counts as healthy: the next crash starts the backoff again. */
  resetAfterMs: number;
}

const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/** The wait before restart number `attempt` (1 = the first restart after a crash). */
export function restartDelayMs(attempt: number, b: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
}

export interface SupervisedOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  log: (line: string) => void;
  /** Where the child's output lines go, already prefixed with `[name]` (default: this process's stdout/stderr). */
  output?: (line: string, stream: 'stdout' | 'stderr') => void;
  backoff?: Partial<Backoff>;
}

export class Supervised {
  readonly #o: SupervisedOptions;
  readonly #backoff: Backoff;
  #child: ChildProcess | undefined;
  #stopping = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves when the current child has exited (at once when none runs). */
  #exited: Promise<void> = Promise.resolve();

  constructor(options: SupervisedOptions) {
    this.#o = options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  /** Starts the child; from now on it is restarted whenever it exits, until stop(). */
  start(): void {
    const { name, command, args, cwd, env } = this.#o;
    const startedAt = Date.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    const out = this.#o.output ?? ((line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`));
    const forward = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line) out(`[${name}] ${line}`, stream);
    };
    child.stdout?.on('data', forward('stdout'));
    child.stderr?.on('data', forward('stderr'));
    this.#exited = new Promise((resolve) => {
      const done = (how: string) => {
        resolve();
        if (this.#stopping) return;
        if (Date.now() - startedAt >= this.#backoff.resetAfterMs) this.#attempt = 0;
        this.#attempt++;
        const delay = restartDelayMs(this.#attempt, this.#backoff);
        this.#o.log(`${name} exited (${how}); restarting in ${(delay / 1000).toFixed(1)} s (restart ${this.#attempt})`);
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          if (!this.#stopping) this.start();
        }, delay);
      };
      child.once('exit', (code, signal) => done(signal ?? `code ${code}`));
      // A command that cannot be started at all (ENOENT) emits error and no exit.
      child.once('error', (e) => {
        if (child.pid === undefined) done(e.message);
      });
    });
  }

  /** Stops the child and its process group (SIGTERM, SIGKILL after `graceMs`); no restart follows. */
  async stop(graceMs = 5_000): Promise<void> {
    this.#stopping = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        child.kill(signal);
      }
    };
    signalGroup('SIGTERM');
    const killer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(killer);
  }
}
