/** @module Query parameters of the classify route. */
import { HttpError } from './errors.ts';

export const DEFAULT_TOP = 5;
export const MAX_TOP = 20;

interface ClassifyQuery {
  top: number;
  format: 'json' | 'text';
}

export function parseClassifyQuery(url: URL, accept: string | null): ClassifyQuery {
  const rawTop = url.searchParams.get('top');
  let top = DEFAULT_TOP;
  if (rawTop !== null) {
    if (!/^\d+$/.test(rawTop) || Number(rawTop) < 1 || Number(rawTop) > MAX_TOP) {
      throw new HttpError(400, 'bad_parameter', `top must be a whole number from 1 to ${MAX_TOP}, got "${rawTop.slice(0, 40)}".`);
    }
    top = Number(rawTop);
  }
  const rawFormat = url.searchParams.get('format');
  if (rawFormat !== null && rawFormat !== 'json' && rawFormat !== 'text') {
    throw new HttpError(400, 'bad_parameter', `format must be "json" or "text", got "${rawFormat.slice(0, 40)}".`);
  }
  const wantsJson = rawFormat === 'json' || (rawFormat === null && (accept ?? '').toLowerCase().includes('application/json'));
  return { top, format: wantsJson ? 'json' : 'text' };
}
