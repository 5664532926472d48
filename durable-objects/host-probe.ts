/**
 * @module Asks a GPU host whether it answers: `GET /healthz` on the host's HTTP side (ws:// -> http://, wss:// ->
 * https://, the same port or tunnel). No token is needed and no Dawn device is made, so probing is cheap and
 * leaves nothing in the host's log; a stopped (SIGSTOP) or dead host fails it within the timeout.
 */

/**
 * Longer than a busy host keeps its event loop (one llvmpipe batch of 8 SqueezeNets is ~0.6 s), much shorter
 * than the bridge's 15 s bound on a call: a hung host is found by a probe before a request waits that long.
 */
export const PROBE_TIMEOUT_MS = 5_000;

export function healthUrl(gpuHostUrl: string): string {
  const url = new URL(gpuHostUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/healthz';
  url.search = '';
  return url.href;
}

/** What a probe found: healthy, or why not and whether the host merely did not answer in time. */
export type ProbeResult = { ok: true } | { ok: false; error: string; timedOut: boolean };

/** Never rejects. */
export async function probeHost(gpuHostUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  try {
    const response = await fetch(healthUrl(gpuHostUrl), { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json().catch(() => undefined)) as { ok?: unknown } | undefined;
    if (response.ok && body?.ok === true) return { ok: true };
    return { ok: false, error: `its /healthz answered ${response.status}`, timedOut: false };
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return { ok: false, error: `no answer to /healthz within ${timeoutMs / 1000} s`, timedOut: true };
    return { ok: false, error: `unreachable (${err.message})`, timedOut: false };
  }
}
