/**
 * @module A WebAssembly codec instance created once per isolate on first use and shared by later calls. An
 * emscripten module that hit abort() stays aborted, so a call that throws drops the instance and the next call
 * instantiates a fresh one (cheap: the module is already compiled). A failed instantiation is not kept either.
 */

export interface WasmInstance<T> {
  /** Runs `fn` on the shared instance (creating it first if needed); if `fn` throws, the instance is dropped. */
  use<R>(fn: (instance: T) => R | Promise<R>): Promise<R>;
}

export function wasmInstance<T>(create: () => Promise<T>): WasmInstance<T> {
  let current: Promise<T> | undefined;
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
      }
    },
  };
}
