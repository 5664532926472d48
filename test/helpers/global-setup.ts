import { ensureGeneratedModels } from '../../models/generate.ts';

/** Runs once before the suite: generates the seeded stand-in models the tests compare against onnxruntime. */
export default async function setup(): Promise<void> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  await ensureGeneratedModels();
}
