/**
 * @module The front `npm start` (and the service tests) put on the public port, before `wrangler dev`: it answers
 * `Expect: 100-continue` at once and passes every request and response through unchanged.
 *
 * Why: workerd's HTTP server (KJ) never sends `100 Continue`, so curl, which sends `Expect: 100-continue` for
 * bodies over 1 MB, waits its full second before sending a photo (measured: the same 3 MB upload takes 1.01 s
 * against workerd, wrangler dev or plain Miniflare, 0.06 s with `-H 'Expect:'`; workerd has no option for it).
 * Node's HTTP server sends the 100 itself when a request asks for it. The cost is one loopback pass in the same
 * machine (bench --photos measures it against wrangler dev directly). A deployed Worker sits behind
 * Cloudflare's edge, which answers 100-continue itself (docs/deploy.md).
 */
import http from 'node:http';

export interface Front {
  /** The port it listens on: the one asked for, or the one the system gave for 0. */
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `port` (0: any free one) on `host`, forwarding to http://127.0.0.1:`targetPort`. */
export function startContinueFront(port: number, targetPort: number, host = '127.0.0.1'): Promise<Front> {
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    // Already answered here; workerd would ignore it anyway.
    delete headers.expect;
    // One loopback connection per request (agent: false): a pooled one can be closed by workerd just as it is reused.
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on('error', (e) => {
      console.error(`[front] ${req.method} ${req.url}: ${e.message}`);
      if (res.headersSent) {
        res.destroy(e);
        return;
      }
      res.writeHead(502, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'service_starting', message: `wrangler dev is not answering (${e.message}); wait for the banner or restart npm start.` } }));
    });
    // A client that goes away mid-upload: stop the forwarded request too.
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
  // No per-request time limit: uploads on slow links and slow first model loads are the normal case here.
  server.requestTimeout = 0;
  // Longer than clients' idle pools (undici 4 s, browsers ~60 s): the client closes an idle connection first, so
  // a request never races the server closing the connection it was sent on.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
