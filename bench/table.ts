/** @module Plain-text tables for the terminal and for bench/RESULTS.md (Markdown pipe syntax reads well in both). */

export type Cell = string | number | undefined;

function show(c: Cell): string {
  if (c === undefined) return '';
  if (typeof c === 'number') return Number.isFinite(c) ? formatNumber(c) : String(c);
  return c;
}

/** Integers as they are; otherwise about three significant figures, scientific only below 0.001 (diffs). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n); // counts stay counts
  const abs = Math.abs(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  if (abs >= 0.001) return n.toFixed(3);
  return n.toExponential(1);
}

/** A Markdown table with padded columns; numbers are right-aligned. */
export function renderTable(header: readonly string[], rows: readonly Cell[][]): string {
  const text = rows.map((r) => header.map((_, i) => show(r[i])));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === undefined || typeof r[i] === 'number'));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line([...header]), rule, ...text.map(line)].join('\n');
}
