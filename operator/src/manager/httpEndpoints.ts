import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Probes {
  /** The process is alive and its event loop turns. */
  healthy(): boolean;
  /** The operator can do its work (API server reached; later: caches synced). */
  ready(): boolean;
}

export interface HttpRoutes {
  /** A Benchmark's report page, or undefined when there is no such Benchmark (or report). */
  benchmarkReport?(namespace: string, name: string): Promise<string | undefined>;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const REPORT_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
  'cache-control': 'no-cache',
};

/** namespace and name from /benchmarks/<namespace>/<name>, when both are valid Kubernetes names. */
function benchmarkPath(path: string): { namespace: string; name: string } | undefined {
  const [empty, prefix, namespace = '', name = '', ...rest] = path.split('/');
  if (empty !== '' || prefix !== 'benchmarks' || rest.length > 0) return undefined;
  if (!DNS1123_LABEL.test(namespace) || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/**
 * Serves /healthz, /readyz, /metrics (Prometheus text format) and, when routes has benchmarkReport,
 * /benchmarks/<namespace>/<name> (a Benchmark's HTML report).
 */
export function createHttpEndpoints(probes: Probes, registry: Registry, routes?: HttpRoutes): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const benchmark = routes?.benchmarkReport ? benchmarkPath(path ?? '/') : undefined;
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
    } else if (benchmark && routes?.benchmarkReport) {
      const report = routes.benchmarkReport.bind(routes);
      Promise.resolve(benchmark)
        .then(({ namespace, name }) => report(namespace, name))
        .then(
          (html) => {
            if (html === undefined) {
              response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
            } else {
              response.writeHead(200, REPORT_HEADERS).end(html);
            }
          },
          () => {
            response.writeHead(500, { 'content-type': 'text/plain' }).end('could not build the report\n');
          },
        );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
}
