/** @module What a benchmark peer is: something that loads the model once and then runs it on the shared input. */
import type { DawnAdapter } from '../../gpu-host/dawn.ts';
import type { BenchModel } from '../model.ts';

export const PEER_NAMES = ['ours', 'ours-bridge', 'ort-webgpu', 'ort-wasm', 'ort-node-cpu', 'ort-node-webgpu'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export interface PeerContext {
  model: BenchModel;
  input: Float32Array;
  /** The Dawn instance and adapter ours runs on; GPU peers must use the same one. */
  dawn: DawnAdapter & { device: GPUDevice };
}

export interface LoadedPeer {
  /** One inference: feed the input, return the first output on the CPU (readback included, as a caller sees it). */
  run(): Promise<Float32Array>;
  /** Peer-specific figures printed under the table (e.g. ours' dispatch count). */
  details?: Record<string, string | number>;
  dispose(): Promise<void> | void;
}

export interface Peer {
  name: PeerName;
  /** Throws (with a message that says why) when the peer cannot run here; the bench records the error. */
  load(ctx: PeerContext): Promise<LoadedPeer>;
}
