/**
 * @module A `ws` WebSocket for bridge clients in Node talking to a GPU host on loopback. Client frames are
 * masked (XORed with a random key) to protect HTTP proxies' caches, which loopback has none of; with the
 * key all zeros `ws` skips the XOR on both ends, which in pure JS (no `bufferutil`) costs ~3 ms per 600 KB
 * tensor. workerd masks natively and needs none of this. Loopback only: never use it across a network.
 */
import WebSocket from 'ws';
import { isLoopbackHost } from '../bridge/socket.ts';

export class LoopbackWebSocket extends WebSocket {
  constructor(url: string) {
    super(url, isLoopbackHost(new URL(url).hostname) ? { generateMask: (mask: Buffer) => void mask.fill(0) } : {});
  }
}
