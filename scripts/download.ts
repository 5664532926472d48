/** @module HTTP download with retries, a progress bar and SHA-256 verification. */
import { createHash } from 'node:crypto';

export interface DownloadOptions {
  expectedSha256: string;
  /** -1 when unknown. */
  expectedBytes: number;
  retries?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
  label: string;
}

export class DownloadError extends Error {}

function progressBar(label: string, done: number, total: number): string {
  if (total <= 0) return `${label}: ${(done / 1e6).toFixed(1)} MB`;
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((done / total) * 100).toFixed(0)}%`;
}

async function attempt(url: string, o: DownloadOptions): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 60_000), redirect: 'follow' });
  if (!response.ok || !response.body) throw new DownloadError(`${url} answered HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length') ?? o.expectedBytes);
  const chunks: Uint8Array[] = [];
  let done = 0;
  const tty = process.stderr.isTTY;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    done += chunk.byteLength;
    if (tty) process.stderr.write(`\r${progressBar(o.label, done, total)}`);
  }
  if (tty) process.stderr.write('\n');
  const bytes = Buffer.concat(chunks);
  if (o.expectedBytes > 0 && bytes.byteLength !== o.expectedBytes) {
    throw new DownloadError(`${o.label}: got ${bytes.byteLength} bytes, expected ${o.expectedBytes} (truncated download?)`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== o.expectedSha256) throw new DownloadError(`${o.label}: SHA-256 ${sha} does not match the expected ${o.expectedSha256}`);
  return new Uint8Array(bytes);
}

/** Downloads and verifies; retries network errors and truncations (not checksum mismatches of complete files). */
export async function download(url: string, o: DownloadOptions): Promise<Uint8Array> {
  const retries = o.retries ?? 3;
  let last: Error | undefined;
  for (let i = 0; i <= retries; i++) {
    try {
      return await attempt(url, o);
    } catch (e) {
      last = e as Error;
      const cause = (last as { cause?: { code?: string } }).cause?.code;
      // Offline (no DNS, refused) will not get better by retrying: fail fast.
      if (cause === 'ENOTFOUND' || cause === 'EAI_AGAIN' || cause === 'ECONNREFUSED' || /SHA-256/.test(last.message)) break;
      if (i < retries) {
        o.log?.(`${o.label}: ${last.message}; retrying (${i + 1}/${retries})`);
        await new Promise((r) => setTimeout(r, 500 * 2 ** i));
      }
    }
  }
  const reason = (last as { cause?: { code?: string; message?: string } }).cause;
  throw new DownloadError(`${last?.message ?? 'download failed'}${reason?.code ? ` (${reason.code})` : ''}`);
}
