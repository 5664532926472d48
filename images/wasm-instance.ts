/**
 * @module A WebAssembly codec instance created once per isolate on first use and shared by later calls. An
 * emscripten module that hit abort() stays aborted, so a call that throws drops the instance and the next call
 * instantiates a fresh one (cheap: the module is already compiled). A failed instantiation is not kept either.
 * Wasm memory never shrinks, so an instance that a large image grew past KEEP_MEMORY_BYTES is dropped after the
 * call too, instead of holding its high-water memory for the isolate's lifetime.
 */

/** Wasm memory an idle codec instance may keep between decodes. */
export const KEEP_MEMORY_BYTES = 16 * 1024 * 1024;

export interface WasmInstance<T> {
  /** Runs `fn` on the shared instance (creating it first if needed); if `fn` throws, the instance is dropped. */
  use<R>(fn: (instance: T) => R | Promise<R>): Promise<R>;
  /** Wasm memory of the instance kept for the next call (0 when none is kept). */
  keptMemoryBytes(): Promise<number>;
  /** Wasm memory of the instance the last finished call ran on, read as that call ended (its high-water mark). */
  lastMemoryBytes(): number;
}

/** `memoryBytes` reads an instance's wasm memory size; instances over KEEP_MEMORY_BYTES after a call are dropped. */
export function wasmInstance<T>(create: () => Promise<T>, memoryBytes: (instance: T) => number): WasmInstance<T> {
  let current: Promise<T> | undefined;
  let last = 0;
  // Only the promise a call used is dropped: one created since (after another failure) stays.
  const drop = (p: Promise<T>): void => {
    if (current === p) current = undefined;
  };
  return {
    async use(fn) {
      let p = current;
      if (!p) {
        p = create();
        current = p;
      }
      let instance: T;
      try {
        instance = await p;
      } catch (e) {
        drop(p);
        throw e;
      }
      try {
        return await fn(instance);
      } catch (e) {
        drop(p);
        throw e;
      } finally {
        last = memoryBytes(instance);
        // A call still running on it keeps its own reference; the next one starts a fresh instance.
        if (last > KEEP_MEMORY_BYTES) drop(p);
      }
    },
    async keptMemoryBytes() {
      const p = current;
      return p ? memoryBytes(await p) : 0;
    },
    lastMemoryBytes: () => last,
  };
}
