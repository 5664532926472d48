/** `.wasm` files import as compiled modules: wrangler's CompiledWasm rule, vitest-pool-workers, and the Node test plugin. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
