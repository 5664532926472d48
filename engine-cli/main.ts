/**
 * @module `npm run onnx -- <command>`: the engine from the command line.
 *   run <model.onnx> <input.pb>... -o <out-dir>   one inference, outputs as output_<i>.pb
 *   test <dir>...                                  ONNX backend-test directories, PASS/FAIL per directory
 *   info <model.onnx>                              ops, parameters, MACs, kernels, memory
 * Exit codes: 0 success, 1 failure (an error, or a failed test), 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { openCliDevice, type CliDevice } from './device.ts';
import { runModel } from './run.ts';
import { testDirs } from './test-dirs.ts';
import { printInfo } from './info.ts';

const USAGE = `usage:
  npm run onnx -- run <model.onnx> <input.pb>... -o <out-dir>
  npm run onnx -- test <dir>...
  npm run onnx -- info <model.onnx>
test prints one line per directory (PASS <name> max_abs=<x> | FAIL <name> <reason>); a directory with
several test_data_set_<k> passes only when every set passes. Tolerance: |got - want| <= 1e-4 + 1e-3 * |want|.
options:
  -o, --output <dir>  (run) where output_<i>.pb files are written
  --verbose           print stack traces with errors
  -h, --help          this text`;

class UsageError extends Error {}

interface Parsed {
  command: string;
  positionals: string[];
  output?: string;
  verbose: boolean;
}

function parse(argv: string[]): Parsed | 'help' {
  let values: { output?: string; verbose?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { output: { type: 'string', short: 'o' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError('no command given');
  const parsed: Parsed = { command, positionals: rest, output: values.output, verbose: values.verbose ?? false };
  switch (command) {
    case 'run':
      if (rest.length < 1) throw new UsageError('run needs a model file');
      if (!values.output) throw new UsageError('run needs -o <out-dir>');
      break;
    case 'test':
      if (rest.length < 1) throw new UsageError('test needs at least one directory');
      break;
    case 'info':
      if (rest.length !== 1) throw new UsageError('info takes exactly one model file');
      break;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
  if (values.output && command !== 'run') throw new UsageError(`-o is only for run`);
  return parsed;
}

async function main(argv: string[]): Promise<number> {
  let parsed: Parsed | 'help';
  try {
    parsed = parse(argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // Opened on first use and shared: `test` runs every directory on this one device.
  let opened: Promise<CliDevice> | undefined;
  const openDevice = () => (opened ??= openCliDevice());
  try {
    switch (parsed.command) {
      case 'run':
        await runModel({ model: parsed.positionals[0], inputs: parsed.positionals.slice(1), outDir: parsed.output! }, openDevice, log);
        return 0;
      case 'test': {
        const results = await testDirs(parsed.positionals, await openDevice(), log);
        return results.every((r) => r.pass) ? 0 : 1;
      }
      default:
        await printInfo(parsed.positionals[0], openDevice, log);
        return 0;
    }
  } catch (e) {
    const err = e as Error;
    process.stderr.write(parsed.verbose && err?.stack ? `error: ${err.stack}\n` : `error: ${err?.message ?? String(e)}\n`);
    return 1;
  } finally {
    if (opened) (await opened.catch(() => undefined))?.device.destroy();
  }
}

// Exit explicitly: Dawn's native handles can keep the event loop alive after the work is done.
process.exit(await main(process.argv.slice(2)));
