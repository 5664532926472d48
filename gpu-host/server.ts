/**
 * @module The GPU host: serves Dawn's WebGPU to bridge clients (bridge/client.ts) over WebSockets on loopback.
 * Each connection must send the token in its first frame before anything touches the GPU; it then gets
 * its own Dawn device and object table, freed when it closes. `GET /healthz` reports the adapter and load.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeJsonFrame, encodeJsonFrame } from '../bridge/codec.ts';
import { CLOSE_HELLO_TIMEOUT, CLOSE_POLICY, CLOSE_TRY_AGAIN, CLOSE_VERSION, FrameKind, PROTOCOL_VERSION, type Welcome } from '../bridge/protocol.ts';
import { tokenMatches } from './auth.ts';
import { openDawnAdapter, type AdapterSummary, type DawnBackend } from './dawn.ts';
import { describeAdapter } from './describe.ts';
import { DEFAULT_CAPS, type HostCaps } from './object-table.ts';
import { HostSession } from './session.ts';

export interface GpuHostOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: the protocol is plain ws://, so it must not face a network. */
  host?: '127.0.0.1' | 'localhost' | '::1';
  token: string;
  backend?: DawnBackend;
  caps?: Partial<HostCaps>;
  /** Connection-level log lines (refusals, protocol errors). Defaults to stderr. */
  log?: (line: string) => void;
  /** How long a new connection may take to present its token. */
  helloTimeoutMs?: number;
  /** Authenticated connections at once (each holds a Dawn device); more are refused with 1013. */
  maxConnections?: number;
}

export interface GpuHostStats {
  connections: number;
  liveObjects: number;
  gpuBytes: number;
  refused: number;
  protocolErrors: number;
  /** WebSocket payload bytes from and to clients since start (hello and welcome included): the wire cost of inference. */
  bytesReceived: number;
  bytesSent: number;
}

export interface GpuHostHealth extends GpuHostStats {
  ok: boolean;
  adapter: AdapterSummary;
  software: boolean;
}

export interface GpuHost {
  url: string;
  port: number;
  adapter: AdapterSummary;
  software: boolean;
  stats(): GpuHostStats;
  close(): Promise<void>;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

export async function startGpuHost(options: GpuHostOptions): Promise<GpuHost> {
  if (!options.token) throw new Error('startGpuHost: a token is required');
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new Error(`startGpuHost: refusing to bind ${host}; the GPU host serves loopback only`);
  const caps: HostCaps = { ...DEFAULT_CAPS, ...options.caps };
  const log = options.log ?? ((line: string) => console.error(`[gpu-host] ${line}`));
  const helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
  const maxConnections = options.maxConnections ?? 32;
  const dawn = await openDawnAdapter(options.backend ?? 'auto');
  const welcomeBase: Omit<Welcome, 'version'> = {
    adapter: describeAdapter(dawn.adapter, dawn.featureLevel),
    wgslLanguageFeatures: [...((dawn.gpu as { wgslLanguageFeatures?: Iterable<string> }).wgslLanguageFeatures ?? [])],
    maxMessageBytes: caps.maxMessageBytes,
  };
  const sessions = new Set<HostSession>();
  const counters = { refused: 0, protocolErrors: 0, bytesReceived: 0, bytesSent: 0 };

  const stats = (): GpuHostStats => {
    let liveObjects = 0;
    let gpuBytes = 0;
    for (const s of sessions) {
      liveObjects += s.table.size;
      gpuBytes += s.table.bufferBytes;
    }
    return { connections: sessions.size, liveObjects, gpuBytes, ...counters };
  };

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      const body: GpuHostHealth = { ok: true, adapter: dawn.info, software: dawn.software, ...stats() };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the GPU host serves WebSocket clients and GET /healthz\n');
  });
  // Frames a bit over the soft cap get a clear error reply; far over it, ws closes the socket (1009).
  // No compression: tensors barely compress and deflating them would cost more than loopback saves.
  const wss = new WebSocketServer({ server: http, maxPayload: caps.maxMessageBytes * 2 + 1024, perMessageDeflate: false });

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    let session: HostSession | undefined;
    const helloTimer = setTimeout(() => {
      counters.refused++;
      log(`refused ${peer}: no token within ${helloTimeoutMs} ms`);
      ws.close(CLOSE_HELLO_TIMEOUT, 'no hello');
    }, helloTimeoutMs);
    const refuse = (code: number, reason: string): void => {
      counters.refused++;
      log(`refused ${peer}: ${reason}`);
      ws.close(code, reason);
    };

    const send = (frame: Uint8Array): void => {
      counters.bytesSent += frame.length;
      ws.send(frame);
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBytes(data);
      counters.bytesReceived += bytes.length;
      if (!session) {
        clearTimeout(helloTimer);
        // Nothing touches the GPU before this check passes.
        let hello: { token?: unknown; version?: unknown };
        try {
          if (!isBinary) throw new Error('text frame');
          hello = decodeJsonFrame(bytes, FrameKind.Hello) as typeof hello;
          if (!hello || typeof hello !== 'object') throw new Error('hello is not an object');
        } catch (e) {
          refuse(CLOSE_POLICY, `bad hello (${(e as Error).message})`);
          return;
        }
        if (!tokenMatches(hello.token, options.token)) {
          refuse(CLOSE_POLICY, 'invalid token');
          return;
        }
        if (hello.version !== PROTOCOL_VERSION) {
          refuse(CLOSE_VERSION, `protocol version mismatch: host ${PROTOCOL_VERSION}, client ${String(hello.version)}`);
          return;
        }
        if (sessions.size >= maxConnections) {
          refuse(CLOSE_TRY_AGAIN, `the GPU host already serves ${sessions.size} connections (max ${maxConnections})`);
          return;
        }
        session = new HostSession(dawn, caps, send, (line) => {
          counters.protocolErrors++;
          log(`${peer}: ${line}`);
        });
        sessions.add(session);
        log(`${peer}: authenticated (${sessions.size} connection(s))`);
        send(encodeJsonFrame(FrameKind.Welcome, { version: PROTOCOL_VERSION, ...welcomeBase } satisfies Welcome));
        return;
      }
      if (!isBinary) {
        session.protocolError('text frames are not part of the protocol');
        return;
      }
      if (bytes.length > caps.maxMessageBytes) {
        session.protocolError(`a ${bytes.length}-byte frame exceeds the GPU host's per-connection cap of ${caps.maxMessageBytes} bytes`);
        return;
      }
      session.handleFrame(bytes);
    });

    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (session) {
        const { size, bufferBytes } = session.table;
        session.close();
        sessions.delete(session);
        log(`${peer}: closed; freed ${size} object(s), ${bufferBytes} buffer bytes`);
      }
    });
    ws.on('error', (e: Error) => log(`${peer}: socket error: ${e.message}`));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : host;

  return {
    url: `ws://${urlHost}:${port}`,
    port,
    adapter: dawn.info,
    software: dawn.software,
    stats,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const s of sessions) s.close();
      sessions.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
