/**
 * @module `npm run model:generate`: writes seeded stand-ins of the zoo's classifiers to models/generated/.
 *   (no arguments)   both SqueezeNets and every stand-in up to ON_DEMAND_PARAMS parameters (about 0.7 GB)
 *   <name|file>...   just those (the big ones, VGG, AlexNet, ResNet-101/152, are only written this way)
 *   --all            every stand-in (about 4.9 GB)
 *   --list           the catalog: zoo file, opset, input, layout, parameters, MACs, ops; writes nothing
 * The test global setup calls `ensureGeneratedModels` (the two SqueezeNets) so a fresh checkout needs no step.
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { GENERATED_DIR, SQUEEZENET10_PATH, SQUEEZENET11_PATH } from './paths.ts';
import { DEFAULT_SEED, buildSqueezeNet10, buildSqueezeNet11 } from './squeezenet.ts';
import { CATALOG, ON_DEMAND_PARAMS, findStandIn, paramsOf, writeStandIn, type CatalogEntry } from './catalog.ts';
import { writeIfChanged } from './write-if-changed.ts';

export interface GeneratedModelPaths {
  squeezenet11: string;
  squeezenet10: string;
}

export async function ensureGeneratedModels(seed: number = DEFAULT_SEED): Promise<GeneratedModelPaths> {
  await mkdir(GENERATED_DIR, { recursive: true });
  await writeIfChanged(SQUEEZENET11_PATH, buildSqueezeNet11(seed));
  await writeIfChanged(SQUEEZENET10_PATH, buildSqueezeNet10(seed));
  return { squeezenet11: SQUEEZENET11_PATH, squeezenet10: SQUEEZENET10_PATH };
}

const dims = (d: readonly (number | string)[]) => `[${d.join('x')}]`;

/** One line per stand-in: what it is and what it needs (count-only builds: no weights are made). */
function catalogTable(): string {
  const rows = CATALOG.map((e) => {
    const { stats } = e.build({ countOnly: true });
    const s = e.spec;
    return [s.name, s.file, String(s.opset), `${s.input.name} ${dims(s.input.dims)}`, s.input.layout, (stats.params / 1e6).toFixed(2) + ' M',
      (stats.macs / 1e9).toFixed(3) + ' G', `${s.output.name} ${dims(s.output.dims)} ${s.output.kind}`, stats.params > ON_DEMAND_PARAMS ? 'on demand' : 'default',
      Object.keys(stats.ops).join(' ')];
  });
  const header = ['name', 'zoo file', 'opset', 'input', 'layout', 'params', 'MACs', 'output', 'generated', 'ops used'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

function select(names: readonly string[], all: boolean): CatalogEntry[] {
  if (all) return [...CATALOG];
  if (names.length === 0) return CATALOG.filter((e) => paramsOf(e) <= ON_DEMAND_PARAMS);
  return names.map((n) => {
    const e = findStandIn(n);
    if (!e) throw new Error(`no stand-in named "${n}"; \`npm run model:generate -- --list\` lists them`);
    return e;
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { list: { type: 'boolean' }, all: { type: 'boolean' } } });
  if (values.list) {
    console.log(catalogTable());
    return;
  }
  for (const entry of select(positionals, values.all ?? false)) console.log(await writeStandIn(entry));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main();
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  }
}
