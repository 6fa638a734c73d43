import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Probes {
  /** The process is alive and its event loop turns. */
  healthy(): boolean;
  /** The operator can do its work (API server reached; later: caches synced). */
  ready(): boolean;
}

/** Serves /healthz, /readyz and /metrics (Prometheus text format). */
export function createHttpEndpoints(probes: Probes, registry: Registry): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const probe = (ok: boolean) => {
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(ok ? 'ok\n' : 'not ready\n');
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz' || path === '/livez') {
      probe(probes.healthy());
    } else if (path === '/readyz') {
      probe(probes.ready());
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(String(error));
        },
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
}
