/**
 * @module A WGSL file's text and path. Every file under shaders/ starts with a comment line naming itself
 * (`// shaders/conv/conv2d.wgsl: ...`), so the path travels inside the imported text: wrangler's Text rule,
 * the vitest plugin and the Node loader hook all give only the text, and nothing retypes the path beside the
 * import. engine/wgsl/source.test.ts checks every file's first line against its real path.
 */

export interface WgslSource {
  /** The file's path as its first line names it, for compiler messages. */
  readonly path: string;
  readonly text: string;
}

const HEADER = /^\/\/\s*(\S+\.wgsl)\b/;

/** The source of imported WGSL text; throws when the first line does not name the file. */
export function wgslSource(text: string): WgslSource {
  const path = HEADER.exec(text)?.[1];
  if (!path) throw new TypeError(`WGSL must start with a comment naming its file, e.g. "// shaders/elementwise/relu.wgsl: what it computes"; got "${text.split('\n', 1)[0].slice(0, 80)}"`);
  return { path, text };
}
