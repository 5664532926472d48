/**
 * @module Wire protocol shared by the bridge client and the GPU host. Runtime-agnostic (no Node or Workers APIs).
 *
 * Every frame is binary: a 12-byte header `[u32 MAGIC][u16 VERSION][u16 kind][u32 seq]` then a body.
 * - HELLO (client -> host, first frame): body is UTF-8 JSON `{ token, version }`.
 * - WELCOME (host -> client): body is UTF-8 JSON {@link Welcome}.
 * - BATCH (client -> host): body is a run of commands (see codec.ts), executed in order.
 * - REPLIES (host -> client): body is a run of replies; callId 0 carries an event (uncaptured error, lost...).
 *   Reply bytes over REPLY_CHUNK_BYTES (a big mapAsync) come as Partial entries, one frame each, then the Ok.
 */

export const MAGIC = 0x31424757; // "WGB1" little-endian
export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 12;
/** Keeps every host frame far below workerd's 32 MiB WebSocket message limit. */
export const REPLY_CHUNK_BYTES = 4 << 20;

export const FrameKind = {
  Hello: 1,
  Welcome: 2,
  Batch: 3,
  Replies: 4,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Close codes: 1008 is the standard "policy violation", used for auth; 4xxx are ours. */
export const CLOSE_POLICY = 1008;
export const CLOSE_VERSION = 4001;
export const CLOSE_HELLO_TIMEOUT = 4002;
/** 1013 is the standard "try again later": the host is at its connection limit. */
export const CLOSE_TRY_AGAIN = 1013;

/** Command opcodes. Numbers travel as f64 (ids, offsets, sizes); descriptors as JSON; bytes raw. */
export const Op = {
  RequestDevice: 1,
  CreateBuffer: 2,
  BufferDestroy: 3,
  BufferMapAsync: 4,
  BufferUnmap: 5,
  BufferWriteMapped: 6,
  WriteBuffer: 7,
  Submit: 8,
  OnSubmittedWorkDone: 9,
  CreateShaderModule: 10,
  GetCompilationInfo: 11,
  CreateComputePipeline: 12,
  CreateComputePipelineAsync: 13,
  GetBindGroupLayout: 14,
  CreateBindGroupLayout: 15,
  CreatePipelineLayout: 16,
  CreateBindGroup: 17,
  CreateCommandEncoder: 18,
  BeginComputePass: 19,
  SetPipeline: 20,
  SetBindGroup: 21,
  Dispatch: 22,
  DispatchIndirect: 23,
  PassEnd: 24,
  CopyBufferToBuffer: 25,
  ClearBuffer: 26,
  Finish: 27,
  PushErrorScope: 28,
  PopErrorScope: 29,
  DestroyDevice: 30,
  Release: 31,
  CreateQuerySet: 32,
  QuerySetDestroy: 33,
  ResolveQuerySet: 34,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** Error-scope filters as numbers on the wire. */
export const ERROR_FILTERS = ['validation', 'out-of-memory', 'internal'] as const;
export type ErrorFilter = (typeof ERROR_FILTERS)[number];

/** GPUAdapterInfo's strings, as plain data (missing ones are ''). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface AdapterDescription {
  info: AdapterInfo;
  limits: Record<string, number>;
  features: string[];
  featureLevel: 'core' | 'compatibility';
  isFallbackAdapter: boolean;
}

export interface Welcome {
  version: number;
  adapter: AdapterDescription;
  wgslLanguageFeatures: string[];
  /** The host refuses frames larger than this; the client splits batches well below it. */
  maxMessageBytes: number;
}

export interface DeviceDescription {
  limits: Record<string, number>;
  features: string[];
}

/** Payload of a reply with status Error, and of error events. */
export interface WireError {
  message: string;
  /** GPUError kind for popErrorScope / uncaptured errors; `pipeline` for createComputePipelineAsync. */
  kind?: ErrorFilter | 'pipeline' | 'operation' | 'protocol';
  reason?: string;
}

export type HostEvent =
  | { type: 'uncapturederror'; error: { kind: ErrorFilter; message: string } }
  | { type: 'lost'; reason: string; message: string }
  | { type: 'protocolError'; message: string };

export const ReplyStatus = {
  Ok: 0,
  Error: 1,
  /** A slice of a large reply's bytes, in its own frame; the final Ok entry carries the rest. */
  Partial: 2,
} as const;
export type ReplyStatus = (typeof ReplyStatus)[keyof typeof ReplyStatus];
