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
 * Decoded-size cap, checked from the header before any pixel is allocated (413). Note: the RGBA buffer of an
 * image at this cap is 200 MB, above a deployed Worker's 128 MB isolate limit; see images/README in the report.
 */
export const MAX_PIXELS = 50_000_000;
