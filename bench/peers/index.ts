/** @module Every peer, in the order they run (sequentially: two cores, so concurrent peers would skew each other). */
import type { Peer } from './types.ts';
import { ours } from './ours.ts';
import { oursBridge } from './ours-bridge.ts';
import { ortWebgpu } from './ort-webgpu.ts';
import { ortWasm } from './ort-wasm.ts';
import { ortNodeCpu } from './ort-node-cpu.ts';
import { ortNodeWebgpu } from './ort-node-webgpu.ts';

export const PEERS: readonly Peer[] = [ours, oursBridge, ortWebgpu, ortWasm, ortNodeCpu, ortNodeWebgpu];

/** The correctness reference: ORT's native CPU kernels. */
export const REFERENCE_PEER = 'ort-node-cpu';
