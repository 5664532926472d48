/** @module `--service`: load test of the running service (implemented next). */
import type { BenchArgs } from './args.ts';

export async function benchService(_args: BenchArgs): Promise<void> {
  throw new Error('--service is not implemented yet');
}
