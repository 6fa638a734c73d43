// ApacheControl against real Apache servers, reached through a real sshd as a guest's Apache would be.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ApacheConfigRejected,
  ApacheControl,
  ApacheReloadFailed,
} from '../../operator/src/guest/apache/control.js';
import { siteFiles } from '../../operator/src/guest/apache/layout.js';
import {
  contentHash,
  type SiteConfig,
  type SiteContent,
  type SiteTls,
} from '../../operator/src/guest/apache/model.js';
import { startApacheServers, type ApacheTestServer } from './apache/apacheServer.js';
import { until } from './bind/zoneFixtures.js';

const files = (entries: Record<string, string>): SiteContent =>
  new Map(Object.entries(entries).map(([file, text]) => [file, Buffer.from(text)]));

const v1 = files({
  'index.html': '<h1>v1</h1>\n',
  'about/index.html': 'about v1\n',
  'css/site.css': 'body { color: black; }\n',
});
const v2 = files({ 'index.html': '<h1>v2</h1>\n', 'about/index.html': 'about v2\n' });
const v3 = files({ 'index.html': '<h1>v3</h1>\n' });

const site = (content: SiteContent, tls?: SiteTls): SiteConfig => ({
  name: 'shop_www',
  hostNames: ['www.shop.test', 'shop.test'],
  contentHash: contentHash(content),
  ...(tls && { tls }),
});

describe('ApacheControl on real Apache servers over SSH', () => {
  let servers: ApacheTestServer[];
  let web1: ApacheTestServer;
  let controls: ApacheControl[];
  let control: ApacheControl;
  let certs: string;
  const pem = (name: string) => readFile(path.join(certs, name), 'utf8');
  let tls: SiteTls;
  const reloads = async () => ((await readFile(web1.layout.errorLog, 'utf8')).match(/AH00493/g) ?? []).length;

  beforeAll(async () => {
    servers = await startApacheServers(2);
    web1 = servers[0] as ApacheTestServer;
    controls = await Promise.all(
      servers.map(async (server) => new ApacheControl(await server.channel(), server.layout)),
    );
    control = controls[0] as ApacheControl;
    certs = await mkdtemp(path.join(os.tmpdir(), 'servirt-apache-certs-'));
    for (const name of ['site', 'other'])
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2']
          .concat(['-subj', '/CN=www.shop.test', '-addext', 'subjectAltName=DNS:www.shop.test,DNS:shop.test'])
          .concat(['-keyout', `${name}.key`, '-out', `${name}.crt`]),
        { cwd: certs, stdio: 'pipe' },
      );
    tls = { certificate: await pem('site.crt'), privateKey: await pem('site.key'), redirectHTTP: false };
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((server) => server.stop()));
    if (certs) await rm(certs, { recursive: true, force: true });
  });

  it('serves a new site by its host names with the security headers and its own logs; other names get 404', async () => {
    expect(await control.deploySite(site(v1), v1)).toBe('content-and-config');
    for (const host of ['www.shop.test', 'shop.test']) {
      const page = await web1.get('/', { host });
      expect(page).toMatchObject({ status: 200, body: '<h1>v1</h1>\n' });
      expect(page.headers).toMatchObject({
        server: 'Apache',
        'content-type': 'text/html',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'strict-origin-when-cross-origin',
      });
      expect(page.headers['strict-transport-security']).toBeUndefined();
    }
    expect((await web1.get('/css/site.css', { host: 'shop.test' })).body).toBe('body { color: black; }\n');
    expect((await web1.get('/', { host: 'unknown.test' })).status).toBe(404);
    expect((await web1.get('/', { host: 'unknown.test', https: true })).status).toBe(404);
    const accessLog = await readFile(siteFiles(web1.layout, 'shop_www').accessLog, 'utf8');
    expect(accessLog).toMatch(/"GET \/css\/site.css HTTP\/1.1" 200/);
  });

  it('lists no folder: a folder without an index is refused, one with an index serves it', async () => {
    const folder = await web1.get('/css/', { host: 'www.shop.test' });
    expect(folder.status).toBe(403);
    expect(folder.body).not.toContain('site.css');
    expect(folder.headers['x-content-type-options']).toBe('nosniff');
    expect((await web1.get('/about/', { host: 'www.shop.test' })).body).toBe('about v1\n');
  });

  it('changes nothing for the same site and content: no upload, no reload', async () => {
    const before = await reloads();
    const release = await stat(path.join(siteFiles(web1.layout, 'shop_www').releases, contentHash(v1)));
    expect(await control.deploySite(site(v1), v1)).toBe('unchanged');
    expect(await reloads()).toBe(before);
    expect(
      (await stat(path.join(siteFiles(web1.layout, 'shop_www').releases, contentHash(v1)))).ctimeMs,
    ).toBe(release.ctimeMs);
  });

  it('switches every server to new content within 2 s, without a reload, never serving a mix', async () => {
    await controls[1]?.deploySite(site(v1), v1);
    const before = await reloads();
    const seen = new Set<string>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const [page, about] = await Promise.all([
          web1.get('/', { host: 'www.shop.test' }),
          web1.get('/about/', { host: 'www.shop.test' }),
        ]);
        seen.add(`${page.status} ${page.body.trim()}`);
        seen.add(`${about.status} ${about.body.trim()}`);
      }
    })();
    const started = performance.now();
    const changes = await Promise.all(controls.map((each) => each.deploySite(site(v2), v2)));
    await Promise.all(
      servers.map((server) =>
        until(
          () => server.get('/', { host: 'www.shop.test' }),
          (page) => page.body === '<h1>v2</h1>\n',
          2_000,
        ),
      ),
    );
    const elapsed = performance.now() - started;
    polling = false;
    await poller;
    expect(changes).toEqual(['content', 'content']);
    expect(elapsed).toBeLessThan(2_000);
    expect([...seen].every((answer) => /^200 (<h1>v[12]<\/h1>|about v[12])$/.test(answer))).toBe(true);
    expect(await reloads()).toBe(before);
    expect((await web1.get('/css/site.css', { host: 'www.shop.test' })).status).toBe(404);
  });

  it('keeps the current and the previous release only, and goes back to a release still there without an upload', async () => {
    expect(await control.deploySite(site(v3), v3)).toBe('content');
    const releases = siteFiles(web1.layout, 'shop_www').releases;
    expect((await readdir(releases)).sort()).toEqual([contentHash(v2), contentHash(v3)].sort());
    expect(await control.siteState('shop_www')).toMatchObject({ contentHash: contentHash(v3) });
    expect(await control.deploySite(site(v2), v2)).toBe('content');
    expect((await web1.get('/', { host: 'shop.test' })).body).toBe('<h1>v2</h1>\n');
    expect((await readdir(releases)).sort()).toEqual([contentHash(v2), contentHash(v3)].sort());
  });

  it('serves HTTPS with the certificate given, its key readable by root only; HTTP keeps serving', async () => {
    expect(await control.deploySite(site(v2, tls), v2)).toBe('config');
    const page = await web1.get('/', { host: 'www.shop.test', https: true });
    expect(page).toMatchObject({ status: 200, body: '<h1>v2</h1>\n' });
    expect(page.certificateFingerprint).toBe(new X509Certificate(tls.certificate).fingerprint256);
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(page.headers['strict-transport-security']).toBeUndefined();
    expect((await web1.get('/', { host: 'shop.test' })).status).toBe(200);
    const tlsDir = siteFiles(web1.layout, 'shop_www').tlsDir;
    const [key] = (await readdir(tlsDir)).filter((file) => file.endsWith('.key'));
    expect((await stat(path.join(tlsDir, key as string))).mode & 0o777).toBe(0o600);
  });

  it('redirects HTTP to HTTPS when asked, to the host, path and query asked for, and sends HSTS over HTTPS', async () => {
    expect(await control.deploySite(site(v2, { ...tls, redirectHTTP: true }), v2)).toBe('config');
    const redirect = await web1.get('/about/?lang=en', { host: 'shop.test' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://shop.test:${web1.httpsPort}/about/?lang=en`);
    const page = await web1.get('/', { host: 'shop.test', https: true });
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it.each([
    [
      'a key of another certificate',
      async () => pem('other.key'),
      /does not belong to the first certificate/,
    ],
    [
      'garbage as key',
      async () =>
        '-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZSBnYXJiYWdlIGdhcmJhZ2U=\n-----END PRIVATE KEY-----\n',
      /not an unencrypted PEM private key/,
    ],
  ])('refuses a TLS Secret with %s; the previous configuration keeps serving', async (_, privateKey, why) => {
    const before = await reloads();
    const live = await readFile(siteFiles(web1.layout, 'shop_www').config, 'utf8');
    const bad = { ...tls, privateKey: await privateKey(), redirectHTTP: true };
    const refused = control.deploySite(site(v3, bad), v3);
    await expect(refused).rejects.toThrow(ApacheConfigRejected);
    await expect(refused).rejects.toThrow(why);
    await refused.catch((error: Error) => expect(error.message).not.toContain(bad.privateKey.split('\n')[1]));
    expect(await readFile(siteFiles(web1.layout, 'shop_www').config, 'utf8')).toBe(live);
    expect(await reloads()).toBe(before);
    const page = await web1.get('/', { host: 'shop.test', https: true });
    expect(page).toMatchObject({ status: 200, body: '<h1>v2</h1>\n' });
    expect(page.certificateFingerprint).toBe(new X509Certificate(tls.certificate).fingerprint256);
  });

  it('never activates what apachectl configtest refuses, naming the reason', async () => {
    const broken = path.join(web1.layout.siteConfigDir, 'zz-broken.conf');
    await writeFile(broken, 'NoSuchDirective on\n');
    try {
      const live = await readFile(siteFiles(web1.layout, 'shop_www').config, 'utf8');
      const refused = control.deploySite(site(v3), v3);
      await expect(refused).rejects.toThrow(ApacheConfigRejected);
      await expect(refused).rejects.toThrow(/apachectl configtest rejected site shop_www: .*NoSuchDirective/);
      expect(await readFile(siteFiles(web1.layout, 'shop_www').config, 'utf8')).toBe(live);
      expect((await web1.get('/', { host: 'shop.test' })).status).toBe(301);
      expect((await web1.get('/', { host: 'shop.test', https: true })).body).toBe('<h1>v2</h1>\n');
    } finally {
      await rm(broken);
    }
  });

  it('puts the previous configuration back when Apache does not survive the reload', async () => {
    // configtest does not open the access log; Apache cannot when it is a folder, and stops.
    const blocked = { ...site(v1), name: 'shop_blocked', hostNames: ['blocked.shop.test'] };
    const accessLog = siteFiles(web1.layout, 'shop_blocked').accessLog;
    await mkdir(accessLog);
    try {
      await expect(control.deploySite(blocked, v1)).rejects.toThrow(ApacheReloadFailed);
      expect((await control.siteState('shop_blocked')).configHash).toBeUndefined();
    } finally {
      await rmdir(accessLog);
      await web1.restart();
    }
    expect((await web1.get('/', { host: 'shop.test', https: true })).body).toBe('<h1>v2</h1>\n');
    expect((await web1.get('/', { host: 'blocked.shop.test' })).status).toBe(404);
  });

  it('deploys two sites at once', async () => {
    const a = { ...site(v1), name: 'a_www', hostNames: ['a.test'] };
    const b = { ...site(v3), name: 'b_www', hostNames: ['b.test'] };
    await Promise.all([control.deploySite(a, v1), control.deploySite(b, v3)]);
    expect((await web1.get('/', { host: 'a.test' })).body).toBe('<h1>v1</h1>\n');
    expect((await web1.get('/', { host: 'b.test' })).body).toBe('<h1>v3</h1>\n');
  });

  it('removes a site: its host names get 404, its content and TLS files go; removing it again is fine', async () => {
    await control.removeSite('shop_www');
    expect((await web1.get('/', { host: 'shop.test' })).status).toBe(404);
    expect((await web1.get('/', { host: 'shop.test', https: true })).status).toBe(404);
    const files = siteFiles(web1.layout, 'shop_www');
    for (const gone of [files.config, files.dir, files.tlsDir])
      await expect(stat(gone)).rejects.toThrow(/ENOENT/);
    expect(await control.siteState('shop_www')).toEqual({ releases: [] });
    await control.removeSite('shop_www');
    expect((await web1.get('/', { host: 'a.test' })).status).toBe(200);
  });
});
