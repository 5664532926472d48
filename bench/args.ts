/** @module Command-line options of `npm run bench` (everything after `--`). */

export interface BenchArgs {
  runs: number;
  warmup: number;
  /** ONNX file or stand-in name to benchmark instead of the real SqueezeNet in local R2 / its stand-in. */
  model?: string;
  /** Per-kernel-family GPU time for ours. */
  profile: boolean;
  /** Only these peers (comma list), for quick iterations; the full JSON still lists every peer. */
  only?: string[];
  service: boolean;
  /** With --service: start the service here with each of these numbers of local GPU hosts, instead of using --url. */
  hosts?: number[];
  /** Phone-sized photos through the service beside PIL (bench/photos.ts). */
  photos: boolean;
  url: string;
  requests: number;
}

const USAGE = `usage: npm run bench -- [--runs N] [--warmup N] [--model file.onnx|stand-in name] [--profile] [--only ours,ort-wasm]
       npm run bench -- --service [--url http://127.0.0.1:8787] [--requests N]
       npm run bench -- --service --hosts 1,3 [--requests N]   (starts its own service per host count)
       npm run bench -- --photos [--runs N]`;

function positiveInt(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got "${value ?? ''}"\n${USAGE}`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { runs: 30, warmup: 5, profile: false, service: false, photos: false, url: 'http://127.0.0.1:8787', requests: 100 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--runs': args.runs = positiveInt(flag, value(), 1); break;
      case '--warmup': args.warmup = positiveInt(flag, value(), 0); break;
      case '--model': args.model = value(); break;
      case '--profile': args.profile = true; break;
      case '--only': args.only = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--service': args.service = true; break;
      case '--photos': args.photos = true; break;
      case '--url': args.url = value(); break;
      case '--hosts': args.hosts = value().split(',').map((n) => positiveInt(flag, n.trim(), 1)); break;
      case '--requests': args.requests = positiveInt(flag, value(), 1); break;
      case '--help': case '-h': console.log(USAGE); process.exit(0);
      default: throw new Error(`unknown option "${flag}"\n${USAGE}`);
    }
  }
  return args;
}
