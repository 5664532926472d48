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
 * Image-size cap for every format, checked from the header before any pixel is allocated (413). A baseline JPEG
 * of any size up to it decodes in a few MB (DCT scaling and a region: jpeg-decoder.ts).
 */
export const MAX_PIXELS = 50_000_000;

/**
 * Formats whose codecs hand back the whole image as RGBA (PNG, WebP, AVIF, GIF) hold it about twice (in the
 * codec's wasm memory and as the JS copy), 8 bytes a pixel; 16-bit PNG 20. These caps keep that near 64 MB of a
 * deployed Worker's 128 MB (413 above them, from the header).
 */
export const MAX_RGBA_PIXELS = 8_000_000;
export const MAX_PNG16_PIXELS = 3_000_000;

/**
 * A progressive or multi-scan JPEG makes libjpeg hold every DCT coefficient of the full-resolution image (2 bytes
 * each: 3 bytes a pixel at 4:2:0, 6 at 4:4:4) whatever the output scale; above this budget it is refused (413).
 * 64 MiB: a 12 MP 4:2:0 phone photo needs 36 MB.
 */
export const JPEG_COEFFICIENT_BYTES = 64 * 2 ** 20;
