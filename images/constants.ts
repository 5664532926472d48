/**
 * @module The single source of the preprocessing constants. The front Worker, the Durable Object (input
 * shape) and the Node reference preprocessing all import these, so a change here changes every side at once.
 */

/** Model input: 1x3x224x224 (NCHW), the ImageNet crop size of the torchvision/ONNX model zoo. */
export const INPUT_SIZE = 224;

/** The shorter side is resized to this before the center crop (torchvision `Resize(256)` + `CenterCrop(224)`). */
export const RESIZE_SHORTER = 256;

/** Per-channel RGB mean and standard deviation of ImageNet, applied to values scaled to [0, 1]. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** Upload cap: larger bodies are refused (413) before they are buffered. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * What one upload may cost a Worker (JS heap + wasm memories) while it is decoded: a deployed Worker has 128 MiB,
 * of which this leaves 32 MiB for the code, the idle codec instances (at most 16 MiB each is kept, most much
 * less) and garbage not yet collected. The per-format caps below are measured against it
 * (images/memory-budget.workers.test.ts).
 */
export const WORKER_IMAGE_BUDGET_BYTES = 96 * 1024 * 1024;

/**
 * Image-size cap for every format, checked from the header before any pixel is allocated (413). A baseline JPEG
 * of any size up to it decodes in a few MB (DCT scaling and a region: jpeg-decoder.ts).
 */
export const MAX_PIXELS = 50_000_000;

/**
 * Formats whose codecs hand back the whole image as RGBA (WebP, AVIF, GIF) hold it about twice (in the codec's
 * wasm memory and as the JS copy), 8 bytes a pixel: this cap keeps that near 64 MB (413 above it, from the
 * header). Not yet set from a measurement as PNG's caps are; probes (docs/deploy.md, "Memory") show an 8 MP
 * WebP near the budget and AVIF's decoder growing with the file (about 85 bytes of wasm per byte of file).
 */
export const MAX_RGBA_PIXELS = 8_000_000;

/**
 * PNG caps measured in workerd with the worst file (incompressible, 20 MiB; memory-budget.workers.test.ts): the
 * Rust codec holds the file, the decoded rows (an RGB or palette image: 3 bytes a pixel) and the RGBA expansion
 * (4) at once, about 9 bytes a pixel with its allocator's slack, plus the file itself; the resize reads the RGBA
 * where the codec left it. 8 MP took 90 MiB of wasm + 20 MiB of JS; 6 MP fits the 96 MiB budget. A 16-bit PNG
 * holds 16 bytes a pixel in wasm and its 8-bit RGBA (4) in JS: 2.5 MP.
 */
export const MAX_PNG_PIXELS = 6_000_000;
export const MAX_PNG16_PIXELS = 2_500_000;

/**
 * A progressive or multi-scan JPEG makes libjpeg hold every DCT coefficient of the full-resolution image (2 bytes
 * each: 3 bytes a pixel at 4:2:0, 6 at 4:4:4) whatever the output scale; above this budget it is refused (413).
 * 64 MiB: a 12 MP 4:2:0 phone photo needs 36 MB.
 */
export const JPEG_COEFFICIENT_BYTES = 64 * 2 ** 20;
