import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createHttpEndpoints, type HttpRoutes } from './httpEndpoints.js';

let server: Server | undefined;

async function serve(ready: boolean, routes?: HttpRoutes): Promise<string> {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'servirt' });
  const started = createHttpEndpoints({ healthy: () => true, ready: () => ready }, registry, routes);
  server = started;
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('createHttpEndpoints', () => {
  it('answers the probes and serves metrics', async () => {
    const base = await serve(false);
    const healthz = await fetch(`${base}/healthz`);
    expect([healthz.status, await healthz.text()]).toEqual([200, 'ok\n']);
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const readyz = await fetch(`${base}/readyz?verbose`);
    expect([readyz.status, await readyz.text()]).toEqual([503, 'not ready\n']);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('has no benchmark route without routes', async () => {
    const base = await serve(true);
    expect((await fetch(`${base}/benchmarks/default/dns`)).status).toBe(404);
  });

  it('serves a benchmark report with restrictive headers', async () => {
    const asked: string[] = [];
    const base = await serve(true, {
      benchmarkReport: async (namespace, name) => {
        asked.push(`${namespace}/${name}`);
        return '<!doctype html><title>report</title>';
      },
    });
    const response = await fetch(`${base}/benchmarks/bench-ns/dns.compare-1?x=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    );
    expect(await response.text()).toBe('<!doctype html><title>report</title>');
    const head = await fetch(`${base}/benchmarks/bench-ns/dns`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    expect(asked).toEqual(['bench-ns/dns.compare-1', 'bench-ns/dns']);
  });

  it.each([
    '/benchmarks/bench',
    '/benchmarks/bench/',
    '/benchmarks//dns',
    '/benchmarks/bench/dns/extra',
    '/benchmarks/Bench/dns',
    '/benchmarks/bench.ns/dns',
    '/benchmarks/bench/DNS',
    '/benchmarks/bench/-dns',
    '/benchmarks/bench/dns..x',
    '/benchmarks/bench/%2e%2e',
    '/benchmarks/../healthz/x',
    `/benchmarks/${'a'.repeat(64)}/dns`,
    `/benchmarks/bench/${'a'.repeat(254)}`,
  ])('answers 404 for %s without asking', async (path) => {
    let asked = false;
    const base = await serve(true, {
      benchmarkReport: async () => {
        asked = true;
        return 'page';
      },
    });
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(404);
    expect(asked).toBe(false);
  });

  it('answers 404 when there is no such benchmark and 500 when the report fails', async () => {
    const base = await serve(true, {
      benchmarkReport: async (_namespace, name) => {
        if (name === 'broken') throw new Error('secret details');
        return undefined;
      },
    });
    expect((await fetch(`${base}/benchmarks/bench/missing`)).status).toBe(404);
    const failed = await fetch(`${base}/benchmarks/bench/broken`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('could not build the report\n');
  });

  it('answers 500 when the report function throws at once', async () => {
    const base = await serve(true, {
      benchmarkReport: () => {
        throw new Error('not even a promise');
      },
    });
    expect((await fetch(`${base}/benchmarks/bench/dns`)).status).toBe(500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
