/**
 * @module What is known about each GPU host's liveness, with the retry schedule of the ones that are down.
 * A host is up until something says otherwise (a replica whose connection failed, a probe that got no answer);
 * a down host is retried after a bounded exponential backoff and is up again as soon as one try succeeds.
 */

/** One host as the replicas and /healthz see it. */
export interface HostState {
  url: string;
  ok: boolean;
  /** Why it is down (the last failure), absent while up. */
  error?: string;
  /** Epoch ms from which a down host is due for another try; 0 while up. */
  retryAt: number;
}

/** First retry after 1 s, doubling, never more than 10 s apart: a host that comes back is in use again within ~10 s. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 10_000;

export function backoffMs(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
}

interface Entry extends HostState {
  /** Failures in a row; 0 while up. */
  failures: number;
  /** An up host that missed one probe: one more miss in a row and it is down. */
  missedProbe?: boolean;
}

export class HostTable {
  #entries = new Map<string, Entry>();

  /** Takes the configured URL list (in order): new URLs start up, URLs no longer configured are forgotten. */
  sync(urls: readonly string[]): void {
    const next = new Map<string, Entry>();
    for (const url of urls) next.set(url, this.#entries.get(url) ?? { url, ok: true, retryAt: 0, failures: 0 });
    this.#entries = next;
  }

  down(url: string, error: string, now: number): void {
    const e = this.#entries.get(url);
    if (!e) return;
    e.failures++;
    e.missedProbe = false;
    e.ok = false;
    e.error = error;
    e.retryAt = now + backoffMs(e.failures);
  }

  /**
   * A probe got no answer in time. An up host gets one such miss for free: a busy host (on llvmpipe one large
   * batch can hold its event loop for seconds) is not a dead one; two misses in a row, or any miss while down, is.
   * A host that refuses the connection is down at once (down()).
   */
  missed(url: string, error: string, now: number): void {
    const e = this.#entries.get(url);
    if (!e) return;
    if (e.ok && !e.missedProbe) {
      e.missedProbe = true;
      return;
    }
    this.down(url, error, now);
  }

  up(url: string): void {
    const e = this.#entries.get(url);
    if (!e) return;
    e.missedProbe = false;
    e.failures = 0;
    e.ok = true;
    e.retryAt = 0;
    delete e.error;
  }

  /** Down hosts whose retry time has come. */
  due(now: number): string[] {
    return [...this.#entries.values()].filter((e) => !e.ok && e.retryAt <= now).map((e) => e.url);
  }

  snapshot(): HostState[] {
    return [...this.#entries.values()].map(({ url, ok, error, retryAt }) => ({ url, ok, retryAt, ...(error ? { error } : {}) }));
  }
}

/** The live hosts in the order a replica whose home is `home` (an index into `hosts`) tries them: home onwards. */
export function hostsToTry(hosts: readonly HostState[], home: number): string[] {
  return hosts.map((_, i) => hosts[(home + i) % hosts.length]).filter((h) => h.ok).map((h) => h.url);
}
