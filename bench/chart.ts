/**
 * @module The bench table drawn as an SVG bar chart (hand-written SVG, no plotting dependency): one group of
 * bars per model, one bar per peer, median ms on a log scale (peers differ by 100x), each bar labelled with its
 * time and its ratio to ours. Each run writes bench/results/latest.svg, and redraws bench/results/zoo.svg from
 * every model benched in this checkout (bench/results/zoo.json, keyed by model and adapter).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PEER_NAMES, type PeerName } from './peers/types.ts';
import { RESULTS_DIR, gmacPerSecond, writeResult, type LatestJson } from './report.ts';
import { formatNumber } from './table.ts';

const COLORS: Record<PeerName, string> = {
  ours: '#d9480f', 'ours-bridge': '#f08c00', 'ort-webgpu': '#1971c2', 'ort-wasm': '#5f3dc4', 'ort-node-cpu': '#2b8a3e', 'ort-node-webgpu': '#0c8599',
};
const WIDTH = 960;
const LABEL_W = 150;
const VALUE_W = 190;
const BAR_H = 16;
const GAP = 4;
const GROUP_HEAD = 26;
const TOP = 40;

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `models/generated/resnet50-v1-7.onnx (seeded stand-in...)` -> `resnet50-v1-7.onnx (stand-in)`. */
function shortModel(description: string): string {
  const standIn = description.includes('stand-in');
  return `${basename(description.replace(/ \(.*\)$/, ''))}${standIn ? ' (stand-in)' : ''}`;
}

type Timed = { name: PeerName; ms: number };

function timed(r: LatestJson): Timed[] {
  return PEER_NAMES.flatMap((name) => {
    const v = r.results[name];
    return v && 'median_ms' in v ? [{ name, ms: v.median_ms }] : [];
  });
}

/** Grouped horizontal bars; x is log10(ms) between the decades around the fastest and slowest peer. */
export function renderChart(runs: readonly LatestJson[], title: string): string {
  const all = runs.flatMap(timed).map((t) => t.ms);
  const lo = Math.floor(Math.log10(Math.min(...all, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...all, 10)));
  const plotW = WIDTH - LABEL_W - VALUE_W;
  const x = (ms: number) => LABEL_W + ((Math.log10(ms) - lo) / (hi - lo)) * plotW;
  const parts: string[] = [];
  let y = TOP;
  for (const run of runs) {
    const bars = timed(run);
    const ours = bars.find((b) => b.name === 'ours')?.ms;
    const gmacs = ours ? ` · ours ${formatNumber(gmacPerSecond(run.macs, ours))} GMAC/s` : '';
    parts.push(`<text x="8" y="${y + 17}" font-weight="bold">${escapeXml(`${shortModel(run.model)} on ${run.adapter}${gmacs}`)}</text>`);
    y += GROUP_HEAD;
    for (const b of bars) {
      const ratio = ours ? ` (x${formatNumber(b.ms / ours)} ours)` : '';
      parts.push(
        `<text x="${LABEL_W - 6}" y="${y + BAR_H - 4}" text-anchor="end">${b.name}</text>`,
        `<rect x="${LABEL_W}" y="${y}" width="${Math.max(1, x(b.ms) - LABEL_W).toFixed(1)}" height="${BAR_H}" fill="${COLORS[b.name]}"/>`,
        `<text x="${(x(b.ms) + 4).toFixed(1)}" y="${y + BAR_H - 4}">${escapeXml(`${formatNumber(b.ms)} ms${ratio}`)}</text>`,
      );
      y += BAR_H + GAP;
    }
    // Peers left out with --only are not failures.
    const failed = PEER_NAMES.filter((n) => {
      const r = run.results[n];
      return r !== undefined && 'error' in r && !r.error.startsWith('not run');
    });
    if (failed.length) {
      parts.push(`<text x="${LABEL_W}" y="${y + 12}" fill="#868e96">${escapeXml(`no time: ${failed.join(', ')} (see latest.json)`)}</text>`);
      y += 18;
    }
    y += 8;
  }
  const grid: string[] = [];
  for (let d = lo; d <= hi; d++) {
    const gx = x(10 ** d).toFixed(1);
    grid.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${y}" stroke="#dee2e6"/>`, `<text x="${gx}" y="${TOP - 10}" text-anchor="middle" fill="#495057">${formatNumber(10 ** d)} ms</text>`);
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="8" y="16" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    ...grid,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** Writes latest.svg for this run and redraws zoo.svg with every model benched here; returns the paths. */
export async function writeCharts(latest: LatestJson): Promise<string[]> {
  let zoo: Record<string, LatestJson> = {};
  try {
    zoo = JSON.parse(await readFile(`${RESULTS_DIR}zoo.json`, 'utf8')) as Record<string, LatestJson>;
  } catch {
    // first run in this checkout
  }
  zoo[`${shortModel(latest.model)} | ${latest.adapter}`] = latest;
  await writeResult('zoo.json', zoo);
  const title = 'Median ms per inference, log scale (npm run bench); shorter is faster';
  return [
    await writeResult('latest.svg', renderChart([latest], title), 'text'),
    await writeResult('zoo.svg', renderChart(Object.values(zoo), title), 'text'),
  ];
}
