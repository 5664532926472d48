/**
 * @module The HostDirectory Durable Object: the one place that knows which GPU hosts are up. A Classifier
 * replica sees only its own connection and the Worker keeps no state between requests, so liveness is pooled
 * here: replicas report a host they lost (or found back), /healthz probes every host, and down hosts are
 * re-probed on a bounded backoff while anyone is asking. Replicas read the table at most once a second
 * (classifier.ts), so it is off the request path. Its state is soft: if this object restarts, every host
 * starts up again and the first failure puts it right.
 */
import { DurableObject } from 'cloudflare:workers';
import { HostTable, type HostState } from './host-table.ts';
import { probeHost } from './host-probe.ts';
import { gpuHostUrls, type ServingVars } from './serving-config.ts';

/** /healthz probes a host at most this often; more frequent polling gets the last result. */
const STATUS_TTL_MS = 1_000;

/** The name of the single directory instance. */
export const HOST_DIRECTORY_NAME = 'gpu-hosts';

export class HostDirectory extends DurableObject<ServingVars> {
  readonly #table = new HostTable();
  readonly #probes = new Map<string, Promise<void>>();
  readonly #probedAt = new Map<string, number>();

  #sync(): void {
    this.#table.sync(gpuHostUrls(this.env));
  }

  /** One probe per host at a time; its result goes into the table. */
  #probe(url: string): Promise<void> {
    let p = this.#probes.get(url);
    if (!p) {
      p = probeHost(url).then((result) => {
        this.#probedAt.set(url, Date.now());
        if (result.ok) this.#table.up(url);
        else if (result.timedOut) this.#table.missed(url, result.error, Date.now());
        else this.#table.down(url, result.error, Date.now());
        this.#probes.delete(url);
      });
      this.#probes.set(url, p);
    }
    return p;
  }

  /** The table as it stands. Down hosts that are due are probed in the background, so the next read may see them back. */
  view(): HostState[] {
    this.#sync();
    for (const url of this.#table.due(Date.now())) void this.#probe(url);
    return this.#table.snapshot();
  }

  /** A replica could not connect to `url`, or lost its connection there. */
  reportDown(url: string, error: string): HostState[] {
    this.#sync();
    this.#table.down(url, error, Date.now());
    return this.#table.snapshot();
  }

  /** A replica connected to `url` (after it was down). */
  reportUp(url: string): HostState[] {
    this.#sync();
    this.#table.up(url);
    return this.#table.snapshot();
  }

  /**
   * Probes every host not probed within `maxAgeMs`, then returns the table. /healthz keeps the default, so polling
   * it costs at most one probe per host a second; a replica about to answer 503 passes 0: a host that came back a
   * moment after the last probe must be found now, not after the next one.
   */
  async status(maxAgeMs: number = STATUS_TTL_MS): Promise<HostState[]> {
    this.#sync();
    const now = Date.now();
    const stale = gpuHostUrls(this.env).filter((url) => now - (this.#probedAt.get(url) ?? 0) >= maxAgeMs);
    await Promise.all(stale.map((url) => this.#probe(url)));
    return this.#table.snapshot();
  }
}
