/** @module GPU and GPUAdapter proxies. Each requestAdapter() opens its own connection, so a device owns one socket. */
import { BridgeConnection, type ConnectionOptions } from './connection.ts';
import { BridgeDevice } from './device.ts';
import { Op, type AdapterInfo, type DeviceDescription } from './protocol.ts';

export class BridgeAdapter {
  readonly info: AdapterInfo & { isFallbackAdapter: boolean; subgroupMinSize: number; subgroupMaxSize: number };
  readonly limits: Readonly<Record<string, number>>;
  readonly features: ReadonlySet<string>;
  readonly isFallbackAdapter: boolean;
  readonly featureLevel: string;
  readonly #conn: BridgeConnection;

  constructor(conn: BridgeConnection) {
    const a = conn.welcome.adapter;
    this.#conn = conn;
    this.info = Object.freeze({ ...a.info, isFallbackAdapter: a.isFallbackAdapter, subgroupMinSize: 0, subgroupMaxSize: 0 });
    this.limits = Object.freeze({ ...a.limits });
    this.features = new Set(a.features);
    this.isFallbackAdapter = a.isFallbackAdapter;
    this.featureLevel = a.featureLevel;
  }

  /** One round trip. The host's Dawn validates requiredLimits/requiredFeatures and its message is the rejection. */
  async requestDevice(desc: GPUDeviceDescriptor = {}): Promise<BridgeDevice> {
    const requiredLimits: Record<string, number> = {};
    for (const [k, v] of Object.entries(desc.requiredLimits ?? {})) if (typeof v === 'number') requiredLimits[k] = v;
    const json = { label: desc.label, requiredLimits, requiredFeatures: [...(desc.requiredFeatures ?? [])] };
    const reply = await this.#conn.call(Op.RequestDevice, 'requestDevice', { json });
    return new BridgeDevice(this.#conn, reply.json as DeviceDescription, this.info, desc.label);
  }
}

export class BridgeGPU {
  readonly #url: string;
  readonly #options: ConnectionOptions;
  #wgsl = new Set<string>();

  constructor(url: string, options: ConnectionOptions) {
    this.#url = url;
    this.#options = options;
  }

  get wgslLanguageFeatures(): ReadonlySet<string> {
    return this.#wgsl;
  }

  /**
   * Connects to the GPU host (one round trip after the socket opens) and returns its adapter. The host serves
   * the one adapter it has, whatever the options ask: on llvmpipe that is a compatibility-level adapter even
   * when `featureLevel: 'core'` is requested. Rejects (rather than resolving null) when the host is unreachable
   * or refuses the token, so callers learn why.
   */
  async requestAdapter(_options?: GPURequestAdapterOptions): Promise<BridgeAdapter> {
    const conn = await BridgeConnection.open(this.#url, this.#options);
    this.#wgsl = new Set(conn.welcome.wgslLanguageFeatures);
    return new BridgeAdapter(conn);
  }

  getPreferredCanvasFormat(): GPUTextureFormat {
    return 'bgra8unorm';
  }
}
