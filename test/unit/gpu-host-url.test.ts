/**
 * The Worker's guard on GPU_HOST_URL (durable-objects/gpu-source.ts): the token and tensors never travel in
 * clear over a network, and never without a token. gpu-source.ts imports only bridge/client.ts, so it runs in Node.
 */
import { describe, expect, it } from 'vitest';
import { checkGpuHostUrl } from '../../durable-objects/gpu-source.ts';

const TOKEN = 'a-token';

describe('checkGpuHostUrl', () => {
  it.each(['ws://127.0.0.1:8790', 'ws://localhost:8790', 'ws://LOCALHOST:8790/', 'ws://[::1]:8790', 'ws://127.1.2.3:9000'])('accepts loopback %s over plain ws with a token', (url) => {
    expect(() => checkGpuHostUrl(url, TOKEN)).not.toThrow();
  });

  it.each(['wss://gpu.example.com', 'wss://gpu.example.com:8443/bridge', 'wss://10.0.0.5:8790'])('accepts TLS %s with a token', (url) => {
    expect(() => checkGpuHostUrl(url, TOKEN)).not.toThrow();
  });

  it.each(['ws://10.0.0.5:8790', 'ws://gpu.example.com', 'ws://[::2]:8790', 'ws://127.0.0.1.example.com:8790', 'ws://localhost.example.com'])('refuses %s: plain ws off loopback', (url) => {
    expect(() => checkGpuHostUrl(url, TOKEN)).toThrow(/not loopback: use wss:\/\//);
  });

  it.each([undefined, ''])('refuses a missing token (%j), even on loopback and with TLS', (token) => {
    expect(() => checkGpuHostUrl('ws://127.0.0.1:8790', token)).toThrow(/GPU_HOST_TOKEN is not set/);
    expect(() => checkGpuHostUrl('wss://gpu.example.com', token)).toThrow(/GPU_HOST_TOKEN is not set/);
  });

  it.each(['http://127.0.0.1:8790', 'https://gpu.example.com', 'file:///tmp/x'])('refuses %s: not a WebSocket scheme', (url) => {
    expect(() => checkGpuHostUrl(url, TOKEN)).toThrow(/must be ws:\/\/ or wss:\/\//);
  });

  it.each(['', 'not a url', '127.0.0.1:8790', '//gpu.example.com', 'ws://'])('refuses garbage %j with what a valid one looks like', (url) => {
    expect(() => checkGpuHostUrl(url, TOKEN)).toThrow(/GPU_HOST_URL/);
  });
});
