/**
 * @module The second of the engine's three layers: a prepared model on one GPUDevice. It owns the weights:
 * each constant a kernel binds, and each weight re-laid out for a kernel (conv channels-last, padded bias...),
 * is computed and uploaded once, the first time a plan needs it, then shared by every plan (batch size) made
 * on this device. Disposing it frees the weights and every plan made from it; disposing a plan frees only
 * that plan's own buffers. One per device: losing a device (a GPU host) drops only what lived on it.
 */
import type { DeviceProfile } from './kernel.ts';
import type { PreparedModel } from './prepare.ts';
import { EngineError } from './errors.ts';
import { isSoftwareAdapter } from '../gpu/device.ts';
import { checkBindingSize } from './gpu/limits.ts';
import { uploadBuffer } from './gpu/buffers.ts';

export interface DeviceModelOptions {
  /** Treat the device as a CPU rasteriser when choosing kernel variants (default: detected from adapter info). */
  software?: boolean;
}

export interface DeviceModelStats {
  /** Bytes of weight data on the device, whatever the number of plans. */
  weightBytes: number;
  weightBuffers: number;
  /** Plans (InferenceSessions) alive on this DeviceModel. */
  sessions: number;
}

/** What a DeviceModel disposes with itself. */
interface Plan {
  dispose(): void;
}

function detectSoftware(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return info ? isSoftwareAdapter(info) : false;
}

export class DeviceModel {
  readonly profile: DeviceProfile;
  #weights = new Map<string, GPUBuffer>();
  #weightBytes = 0;
  #plans = new Set<Plan>();
  #disposed = false;
  #lost: string | undefined;

  /**
   * Nothing is uploaded yet: each weight goes to the GPU when the first plan that binds it is built.
   * @example
   * const onGpu = new DeviceModel(device, prepareModel(onnxBytes));
   * const [one, eight] = [await InferenceSession.create(onGpu), await InferenceSession.create(onGpu, { inputShapes: { data: [8, 3, 224, 224] } })];
   * onGpu.stats.weightBytes; // one copy of the weights for both
   */
  constructor(
    readonly device: GPUDevice,
    readonly prepared: PreparedModel,
    options: DeviceModelOptions = {},
  ) {
    this.profile = { limits: device.limits, software: options.software ?? detectSoftware(device) };
    void device.lost.then((info) => {
      this.#lost = info.message || info.reason || 'device lost';
    });
  }

  /** Why the device is gone, once it is. */
  get lost(): string | undefined {
    return this.#lost;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get stats(): DeviceModelStats {
    return { weightBytes: this.#weightBytes, weightBuffers: this.#weights.size, sessions: this.#plans.size };
  }

  /**
   * The buffer holding the weight `key` (a constant's name, or a re-layout and the constants it reads),
   * computing and uploading it on first use only.
   */
  weight(key: string, compute: () => ArrayBufferView): GPUBuffer {
    if (this.#disposed) throw new EngineError('disposed', 'The device model has been disposed');
    let buffer = this.#weights.get(key);
    if (!buffer) {
      const data = compute();
      checkBindingSize(`weight ${key}`, data.byteLength, this.device.limits);
      buffer = uploadBuffer(this.device, data, GPUBufferUsage.STORAGE, `weight:${key}`);
      this.#weights.set(key, buffer);
      this.#weightBytes += data.byteLength;
    }
    return buffer;
  }

  /** Registers a plan to dispose with this model; returns the call that unregisters it. */
  adopt(plan: Plan): () => void {
    if (this.#disposed) throw new EngineError('disposed', 'The device model has been disposed');
    this.#plans.add(plan);
    return () => this.#plans.delete(plan);
  }

  /** Frees every plan made from this model, then the weights. The device itself stays the caller's. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const plan of [...this.#plans]) plan.dispose();
    this.#plans.clear();
    for (const b of this.#weights.values()) b.destroy();
    this.#weights.clear();
    this.#weightBytes = 0;
  }
}
