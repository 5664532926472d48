/**
 * @module One WebSocket to the GPU host: hello/auth, the pending command batch, awaited calls and their
 * replies, timeouts and loss. Non-awaited commands only append to the batch; the batch goes out as one
 * frame in a microtask after an awaited call, so every awaited call in the same synchronous run shares a
 * round trip. Large uploads are sent early (no reply expected) to stay under the host's frame cap.
 */
import { concatBytes } from '../images/bytes.ts';
import { ByteReader, ByteWriter, readHeader, readReply, writeCommand, writeHeader, type CommandArgs, type Reply } from './codec.ts';
import { connectionLost, errorFromWire, operationError } from './errors.ts';
import { helloFrame, parseWelcome, refusal } from './handshake.ts';
import { FrameKind, Op, ReplyStatus, type HostEvent, type Welcome, type WireError } from './protocol.ts';
import { messageBytes, OPEN, type SocketEvent, type WebSocketConstructor, type WebSocketLike } from './socket.ts';
import { bridgeCounters } from './stats.ts';

export interface ConnectionOptions {
  token: string;
  WebSocket: WebSocketConstructor;
  /** Bound on connecting and on every awaited call; past it the connection counts as lost. */
  timeoutMs: number;
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  what: string;
  /** Slices of a large reply received so far. */
  parts?: Uint8Array[];
}

/** Below workerd's 32 MiB outbound frame limit and the host's default cap, with room for headers. */
const MAX_BATCH_BYTES = 8 << 20;
const IDLE_FLUSH_MS = 20;

export class BridgeConnection {
  readonly welcome: Welcome;
  /** Called once when the connection is lost (not after a deliberate close). */
  onLost: ((message: string) => void) | undefined;
  onEvent: ((event: HostEvent) => void) | undefined;

  readonly #ws: WebSocketLike;
  readonly #timeoutMs: number;
  readonly #batch = new ByteWriter(1 << 16);
  readonly #pending = new Map<number, Pending>();
  readonly #released: number[] = [];
  readonly #maxBatchBytes: number;
  #batchCommands = 0;
  #batchCalls = 0;
  #nextCall = 1;
  #nextId = 1;
  #seq = 0;
  #flushQueued = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #inbox: Promise<void> | undefined;
  #closed: string | undefined;
  #registry: FinalizationRegistry<number> | undefined;

  private constructor(ws: WebSocketLike, welcome: Welcome, timeoutMs: number) {
    this.#ws = ws;
    this.welcome = welcome;
    this.#timeoutMs = timeoutMs;
    this.#maxBatchBytes = Math.max(1 << 16, Math.min(MAX_BATCH_BYTES, Math.floor(welcome.maxMessageBytes / 2)));
    if (typeof FinalizationRegistry !== 'undefined') {
      // Only record the id: workerd runs these callbacks outside any request, where timers and I/O are
      // forbidden. Releases ride along with the next flush.
      this.#registry = new FinalizationRegistry((id) => this.#released.push(id));
    }
  }

  /** Opens the socket, sends the token and protocol version first, and waits for the host's welcome. */
  static open(url: string, options: ConnectionOptions): Promise<BridgeConnection> {
    const counters = bridgeCounters();
    return new Promise((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = new options.WebSocket(url);
      } catch (e) {
        reject(connectionLost(`cannot open ${url}: ${(e as Error).message}`));
        return;
      }
      try {
        ws.binaryType = 'arraybuffer';
      } catch {
        // a runtime without binaryType delivers ArrayBuffers or Blobs; messageBytes() takes both
      }
      let conn: BridgeConnection | undefined;
      let errorDetail = '';
      const timer = setTimeout(() => fail(`no welcome from ${url} within ${options.timeoutMs} ms`), options.timeoutMs);
      const fail = (detail: string): void => {
        clearTimeout(timer);
        try {
          ws.close();
        } catch {
          // already closed
        }
        reject(connectionLost(detail));
      };
      ws.addEventListener('open', () => {
        const frame = helloFrame(options.token);
        counters.roundTrips++; // hello -> welcome
        counters.messagesSent++;
        counters.bytesSent += frame.length;
        ws.send(frame);
      });
      ws.addEventListener('error', (ev: SocketEvent) => {
        errorDetail = ev.message ?? (ev.error instanceof Error ? ev.error.message : '') ?? '';
      });
      ws.addEventListener('close', (ev: SocketEvent) => {
        if (conn) {
          conn.#lose(`the socket closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
          return;
        }
        const refused = refusal(ev.code, ev.reason);
        if (refused) {
          clearTimeout(timer);
          reject(refused);
          return;
        }
        fail(`cannot connect to ${url} (${errorDetail || `code ${ev.code}`}${ev.reason ? `: ${ev.reason}` : ''})`);
      });
      ws.addEventListener('message', (ev: SocketEvent) => {
        if (conn) {
          conn.#receive(ev.data);
          return;
        }
        const bytes = messageBytes(ev.data);
        if (bytes === undefined) {
          fail('the welcome was not a binary frame');
          return;
        }
        void Promise.resolve(bytes).then((b) => {
          counters.messagesReceived++;
          counters.bytesReceived += b.length;
          try {
            const welcome = parseWelcome(b);
            clearTimeout(timer);
            conn = new BridgeConnection(ws, welcome, options.timeoutMs);
            counters.connectionsOpened++;
            resolve(conn);
          } catch (e) {
            fail((e as Error).message);
          }
        });
      });
    });
  }

  /** Largest raw payload one command should carry; bigger uploads are split so frames stay under the host cap. */
  get #chunkBytes(): number {
    return Math.floor(this.#maxBatchBytes / 2 / 8) * 8;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  newId(): number {
    return this.#nextId++;
  }

  /** Sends `release` for the proxy's host object once the proxy is garbage collected. */
  track(proxy: object, id: number): void {
    this.#registry?.register(proxy, id);
  }

  /**
   * A proxy for a new host object: allocates its id, then builds the creating command's arguments (which may
   * throw, the id already spent), queues the command, makes the proxy and tracks it.
   */
  create<T extends object>(op: Op, args: (id: number) => CommandArgs, make: (id: number) => T): T {
    const id = this.newId();
    this.enqueue(op, args(id));
    const proxy = make(id);
    this.track(proxy, id);
    return proxy;
  }

  /**
   * Queues `data` for [offset, offset + data.length) of object `id` as `op` commands (nums `[id, at]`, the bytes
   * as bin) of at most #chunkBytes each, so large uploads stay under the host's frame cap. Empty data sends one
   * empty command when `sendEmpty`, else nothing.
   */
  enqueueChunked(op: Op, id: number, offset: number, data: Uint8Array, sendEmpty: boolean): void {
    if (data.length === 0 && !sendEmpty) return;
    const chunk = this.#chunkBytes;
    let done = 0;
    do {
      this.enqueue(op, { nums: [id, offset + done], bin: data.subarray(done, done + chunk) });
      done += chunk;
    } while (done < data.length);
  }

  /** Appends a non-awaited command to the batch. After loss commands are dropped, as a lost device ignores them. */
  enqueue(op: Op, args?: CommandArgs): void {
    if (this.#closed) return;
    this.#begin();
    writeCommand(this.#batch, op, args);
    this.#batchCommands++;
    if (this.#batch.length >= this.#maxBatchBytes) this.flush();
    else this.#scheduleIdleFlush();
  }

  /**
   * Commands nobody awaits (a destroy() before going idle) still reach the host, shortly after: the timer
   * only fires when no awaited call flushed them first, so it adds frames but never round trips.
   */
  #scheduleIdleFlush(): void {
    if (this.#idleTimer !== undefined || this.#closed) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      this.flush();
    }, IDLE_FLUSH_MS);
  }

  /** Appends an awaited command; its reply settles the promise. Rejects at once when the connection is gone. */
  call(op: Op, what: string, args: CommandArgs = {}): Promise<Reply> {
    if (this.#closed) return Promise.reject(connectionLost(`${this.#closed} (calling ${what})`));
    const callId = this.#nextCall++;
    if (this.#nextCall > 0xfffffff0) this.#nextCall = 1;
    const promise = new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => this.#lose(`no reply to ${what} within ${this.#timeoutMs} ms`), this.#timeoutMs);
      this.#pending.set(callId, { resolve, reject, timer, what });
    });
    this.#begin();
    writeCommand(this.#batch, op, { ...args, callId });
    this.#batchCommands++;
    this.#batchCalls++;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return promise;
  }

  /** The batch carries its frame header from its first command on, so flushing copies nothing. */
  #begin(): void {
    if (this.#batch.length === 0) writeHeader(this.#batch, FrameKind.Batch, this.#seq);
  }

  /** Sends the pending batch (if any) as one binary frame. */
  flush(): void {
    this.#flushQueued = false;
    if (this.#idleTimer !== undefined) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    if (this.#closed) return;
    if (this.#released.length) {
      this.#begin();
      writeCommand(this.#batch, Op.Release, { nums: this.#released.splice(0, 0xffff) });
      this.#batchCommands++;
    }
    if (this.#batch.length === 0) return;
    const frame = this.#batch.take();
    this.#seq++;
    const counters = bridgeCounters();
    counters.messagesSent++;
    counters.bytesSent += frame.length;
    counters.commands += this.#batchCommands;
    if (this.#batchCalls) counters.roundTrips++;
    this.#batchCommands = 0;
    this.#batchCalls = 0;
    try {
      if (this.#ws.readyState !== OPEN) throw new Error(`socket is not open (readyState ${this.#ws.readyState})`);
      this.#ws.send(frame);
    } catch (e) {
      this.#lose(`send failed: ${(e as Error).message}`);
    }
  }

  /** Sends what is queued, then closes; pending calls reject, `onLost` is not called. */
  close(reason: string): void {
    if (this.#closed) return;
    this.flush();
    // A deliberate close (device.destroy()) aborts what is pending, as WebGPU does; it is not a lost host.
    this.#shutdown(reason, (what) => operationError(`${reason} while waiting for ${what}`, 'AbortError'), 'client closed');
  }

  #lose(detail: string): void {
    if (this.#closed) return;
    this.#shutdown(detail, (what) => connectionLost(`${detail} (while waiting for ${what})`), 'client gave up');
    this.onLost?.(`GPU host connection lost: ${detail}`);
  }

  /** Marks the connection closed, rejects every pending call with `error`, and closes the socket. */
  #shutdown(reason: string, error: (what: string) => Error, closeReason: string): void {
    this.#closed = reason;
    this.#rejectAll(error);
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    try {
      this.#ws.close(1000, closeReason);
    } catch {
      // already closing or closed
    }
  }

  #rejectAll(error: (what: string) => Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(error(p.what));
    }
  }

  #receive(data: unknown): void {
    const bytes = messageBytes(data);
    if (bytes === undefined) {
      this.#lose('the host sent a text frame');
      return;
    }
    // Blobs resolve asynchronously: chain every later frame behind them to keep replies in order.
    if (bytes instanceof Promise || this.#inbox) {
      const prev = this.#inbox ?? Promise.resolve();
      const next = prev.then(async () => this.#handle(await bytes));
      this.#inbox = next;
      void next.finally(() => {
        if (this.#inbox === next) this.#inbox = undefined;
      });
      return;
    }
    this.#handle(bytes);
  }

  #handle(bytes: Uint8Array): void {
    const counters = bridgeCounters();
    counters.messagesReceived++;
    counters.bytesReceived += bytes.length;
    try {
      const r = new ByteReader(bytes);
      const header = readHeader(r);
      if (header.kind !== FrameKind.Replies) throw new Error(`unexpected frame kind ${header.kind}`);
      while (r.remaining > 0) {
        const reply = readReply(r);
        if (reply.callId === 0) {
          this.#event(reply.json as HostEvent);
          continue;
        }
        const p = this.#pending.get(reply.callId);
        if (!p) continue; // a reply after its call timed out
        if (reply.status === ReplyStatus.Partial) {
          (p.parts ??= []).push(reply.bin ?? new Uint8Array(0));
          continue;
        }
        if (p.parts) reply.bin = concatBytes([...p.parts, reply.bin ?? new Uint8Array(0)]);
        this.#pending.delete(reply.callId);
        clearTimeout(p.timer);
        if (reply.status === ReplyStatus.Ok) p.resolve(reply);
        else p.reject(errorFromWire(reply.json as WireError, p.what));
      }
    } catch (e) {
      this.#lose(`unreadable frame from the host: ${(e as Error).message}`);
    }
  }

  #event(event: HostEvent): void {
    if (event.type === 'protocolError') {
      // The host could not parse our batch: the state of every object after it is unknown.
      this.#lose(`the host rejected a frame: ${event.message}`);
      return;
    }
    if (event.type === 'lost') {
      this.onEvent?.(event);
      this.#lose(`the host's device was lost (${event.reason}: ${event.message})`);
      return;
    }
    this.onEvent?.(event);
  }
}
