// The WebSite controller serving sites from real apache2 processes: content everywhere, changes
// within seconds, TLS from a Secret, bad input leaving the site as it was, and removal.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WebSite } from '../../../operator/src/api/types.generated.js';
import { testKubeconfig } from '../cluster.js';
import { eventually } from '../runtime/harness.js';
import { startWebEnvironment, type WebEnvironment } from './environment.js';

let env: WebEnvironment;
beforeAll(async () => {
  env = await startWebEnvironment(testKubeconfig(), 'website-it');
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

// A self-signed certificate for www.example.test and *.static.example.test, and a key of another.
const testdata = (name: string) =>
  readFileSync(new URL(`../../../operator/src/controllers/website/testdata/${name}`, import.meta.url));
const tlsSecret = (name: string, key: Buffer) => ({
  metadata: { name },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': testdata('site.crt').toString('base64'), 'tls.key': key.toString('base64') },
});

const site = (spec: Partial<WebSite['spec']>): WebSite => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'WebSite',
  metadata: { name: 'www' },
  spec: {
    hostNames: ['www.example.test'],
    guests: [{ name: 'web1' }, { name: 'web2' }],
    content: { configMapRef: { name: 'www-content' } },
    ...spec,
  },
});
const content = (index: string) => ({
  metadata: { name: 'www-content' },
  data: { 'index.html': index, 'about.html': 'about' },
});
const condition = (s: WebSite | undefined, type: string) =>
  s?.status?.conditions?.find((c) => c.type === type);
const fromAll = async (path: string, https = false) =>
  Promise.all(
    ['web1', 'web2'].map(async (name) => {
      const answer = await env.servers
        .get(name)
        ?.get(path, { host: 'www.example.test', https })
        .catch(() => undefined);
      return answer ? `${answer.status} ${answer.body}` : 'no answer';
    }),
  );

describe('WebSite on real Apache', () => {
  it('serves the content from every guest, with security headers and no listings', async () => {
    await env.applyObject('ConfigMap', content('<h1>one</h1>'));
    await env.applySite(site({}));
    await eventually(
      async () => condition(await env.getSite('www'), 'Ready')?.status === 'True',
      30_000,
      'Ready',
    );
    expect(await fromAll('/')).toEqual(['200 <h1>one</h1>', '200 <h1>one</h1>']);
    const answer = await env.servers.get('web1')?.get('/about.html', { host: 'www.example.test' });
    expect(answer?.headers['x-content-type-options']).toBe('nosniff');
    const status = (await env.getSite('www'))?.status;
    expect(status?.url).toBe('http://www.example.test/');
    expect(status?.guests?.map((g) => [g.name, g.serving, g.contentHash?.length])).toEqual([
      ['web1', true, 64],
      ['web2', true, 64],
    ]);
  });

  it('serves changed content everywhere within seconds', async () => {
    const started = performance.now();
    await env.applyObject('ConfigMap', content('<h1>two</h1>'));
    await eventually(
      async () => (await fromAll('/')).every((a) => a === '200 <h1>two</h1>'),
      10_000,
      'new content',
    );
    process.stderr.write(
      `[website] changed content on both guests after ${Math.round(performance.now() - started)} ms\n`,
    );
  });

  it('says why when the ConfigMap is missing, and keeps serving', async () => {
    await env.applySite(site({ content: { configMapRef: { name: 'missing' } } }));
    await eventually(
      async () => condition(await env.getSite('www'), 'Deployed')?.reason === 'ContentNotFound',
      10_000,
      'ContentNotFound',
    );
    expect(await fromAll('/')).toEqual(['200 <h1>two</h1>', '200 <h1>two</h1>']);
  });

  it('serves HTTPS with the Secret certificate and redirects HTTP', async () => {
    await env.applyObject('Secret', tlsSecret('www-tls', testdata('site.key')));
    await env.applySite(site({ tls: { secretRef: { name: 'www-tls' }, redirectHTTP: true } }));
    await eventually(
      async () => (await fromAll('/', true)).every((a) => a === '200 <h1>two</h1>'),
      15_000,
      'HTTPS',
    );
    const plain = await env.servers.get('web2')?.get('/', { host: 'www.example.test' });
    expect(plain?.status).toBe(301);
    expect(plain?.headers.location).toMatch(/^https:\/\/www\.example\.test(:[0-9]+)?\/$/);
    await eventually(
      async () => condition(await env.getSite('www'), 'Ready')?.status === 'True',
      10_000,
      'Ready over HTTPS',
    );
  });

  it('keeps the previous configuration serving when the TLS Secret goes bad, and says why', async () => {
    await env.applyObject('Secret', tlsSecret('www-tls', testdata('other.key')));
    await eventually(
      async () => condition(await env.getSite('www'), 'Deployed')?.reason === 'TLSKeyMismatch',
      10_000,
      'TLSKeyMismatch',
    );
    const ready = condition(await env.getSite('www'), 'Ready');
    expect(ready?.status).toBe('False');
    expect(ready?.message).toContain('tls.key is not the key of the certificate');
    expect(await fromAll('/', true)).toEqual(['200 <h1>two</h1>', '200 <h1>two</h1>']);
  });

  it('takes a deleted site off every guest', async () => {
    await env.applyObject('Secret', tlsSecret('www-tls', testdata('site.key')));
    await env.deleteSite('www');
    await eventually(async () => (await env.getSite('www')) === undefined, 15_000, 'finalizer removed');
    expect((await fromAll('/')).every((a) => !a.includes('two'))).toBe(true);
  });
});
