/** WGSL files import as their source text (Vite plugin, Node hook and wrangler Text rule agree on this). */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
