// A WebSite on a real guest under QEMU (TCG), fetched over HTTP and HTTPS through the guest's
// forwards, its host name resolved through the DnsZone's primary. One guest is both: every guest
// runs BIND and Apache, and the site's A record is published in a zone that guest serves.
import { jest } from '@jest/globals';
import type { DnsZone, WebSite } from '../../operator/src/api/types.generated.js';
import { siteNameOf } from '../../operator/src/guest/apache/model.js';
import { freePort } from '../../hack/cluster/processes.js';
import { kubectl, testKubeconfig } from '../integration/cluster.js';
import { eventually, startOperatorProcess, type OperatorProcess } from '../integration/operatorProcess.js';
import { leftovers, removeFromHost } from './environment.js';
import { apply, BOOT_STEP_TIMEOUT_MS, guestDomain, localHost, untilGuestsReady } from './guests.js';
import { e2eSuite } from './steps.js';
import { guestReport, withGuestShell } from './guestShell.js';
import { dig } from './dig.js';
import { createSelfSignedTlsSecret, type SelfSignedCertificate } from './tlsSecret.js';
import { fetchSite } from './web.js';

jest.setTimeout(900_000);

const NAMESPACE = 'e2e-web';
const GUEST = 'web1';
const PREFIX = `servirt-${NAMESPACE}-${GUEST}`;
const ORIGIN = 'web.test';
const HOST_NAME = `www.${ORIGIN}`;
const SITE_FILES = siteNameOf(NAMESPACE, 'www');
const ports = { ssh: 0, dns: 0, http: 0, https: 0 };
let tls: SelfSignedCertificate;

const page = (text: string) => `<!doctype html><title>${HOST_NAME}</title><h1>${text}</h1>\n`;

const zone: DnsZone = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: { name: 'web-test', namespace: NAMESPACE },
  spec: {
    origin: ORIGIN,
    primary: { guestRef: { name: GUEST } },
    defaultTTL: 60,
    soa: { rname: 'hostmaster', refresh: 3600, retry: 600, expire: 1209600, minimum: 60 },
    records: [{ name: '@', type: 'TXT', value: 'e2e' }],
  },
};

const site: WebSite = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'WebSite',
  metadata: { name: 'www', namespace: NAMESPACE },
  spec: {
    hostNames: [HOST_NAME],
    guests: [{ name: GUEST }],
    content: { configMapRef: { name: 'www-content' } },
    tls: { secretRef: { name: 'www-tls' }, redirectHTTP: true },
    dnsZoneRef: { name: 'web-test' },
  },
};

const content = (index: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'www-content', namespace: NAMESPACE },
  data: { 'index.html': index, 'robots.txt': 'User-agent: *\nDisallow:\n' },
});

async function getObject<T>(kind: string, name: string): Promise<T | undefined> {
  const result = await kubectl(['get', kind, name, '-n', NAMESPACE, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as T) : undefined;
}

const isReady = (object: DnsZone | WebSite | undefined) =>
  object?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

const https = (hostName: string, trust?: string) =>
  fetchSite(ports.https, hostName, '/', { https: true, ...(trust && { trust }) });

describe('WebSite on a guest (QEMU, TCG), published in the DnsZone it serves', () => {
  let operator: OperatorProcess | undefined;
  const suite = e2eSuite('webSite', () => ({
    namespace: NAMESPACE,
    guests: [{ name: GUEST, domain: PREFIX, sshPort: ports.ssh }],
    operatorLines: () => operator?.lines ?? [],
  }));

  /** eventually, and when it times out: what the guest's Apache, the objects and the operator say. */
  async function eventuallyOrReport(check: () => Promise<boolean>, timeoutMs: number, what: string) {
    try {
      await eventually(check, timeoutMs, what);
    } catch (error) {
      const report = await guestReport(NAMESPACE, GUEST, ports.ssh, [
        'systemctl --no-pager status apache2',
        'journalctl --no-pager -u apache2 | tail -n 30',
        'apachectl -S',
        'tail -n 20 /var/log/apache2/*.log',
        'ls -lR /etc/apache2/servirt /var/www/servirt',
      ]);
      const objects = await kubectl(['get', 'website,dnszone', '-n', NAMESPACE, '-o', 'yaml']);
      const warnings = (operator?.lines ?? []).filter((line) => Number(line.level) >= 40).slice(-20);
      console.log(
        `${what}:\n${report}\n${objects.stdout}\n${warnings.map((l) => JSON.stringify(l)).join('\n')}`,
      );
      throw error;
    }
  }

  suite.setUp(async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    await apply(localHost(NAMESPACE));
    for (const name of ['ssh', 'dns', 'http', 'https'] as const) ports[name] = await freePort();
    tls = await createSelfSignedTlsSecret(NAMESPACE, 'www-tls', HOST_NAME);
    operator = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
  });
  suite.cleanUp(async () => {
    operator?.child.kill('SIGKILL');
    // After a failure: nothing of the test stays on the host.
    await removeFromHost(PREFIX);
  });

  suite.step(
    'boots the guest with SSH, DNS, HTTP and HTTPS forwarded',
    async () => {
      const started = Date.now();
      await apply(
        guestDomain(NAMESPACE, GUEST, ports.ssh, ports.dns, [
          { name: 'http', hostPort: ports.http, guestPort: 80 },
          { name: 'https', hostPort: ports.https, guestPort: 443 },
        ]),
      );
      await untilGuestsReady(NAMESPACE, [GUEST]);
      console.log(`guest GuestReady after ${Math.round((Date.now() - started) / 1000)} s`);
    },
    { needs: [], timeoutMs: BOOT_STEP_TIMEOUT_MS },
  );

  suite.step(
    'serves the zone from the guest and makes the WebSite Ready',
    async () => {
      const started = Date.now();
      await apply(zone);
      await apply(content(page('one')));
      await apply(site);
      await eventuallyOrReport(
        async () =>
          isReady(await getObject<WebSite>('website', 'www')) &&
          isReady(await getObject<DnsZone>('dnszone', 'web-test')),
        180_000,
        'the WebSite and the DnsZone Ready',
      );
      console.log(`WebSite and DnsZone Ready after ${Math.round((Date.now() - started) / 1000)} s`);
      const events = await kubectl([
        'get',
        'events',
        '-n',
        NAMESPACE,
        '--field-selector',
        'involvedObject.kind=WebSite',
        '-o',
        'custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message',
        '--no-headers',
      ]);
      console.log(`WebSite events:\n${events.stdout}`);
      const status = (await getObject<WebSite>('website', 'www'))?.status;
      expect(status?.url).toBe(`https://${HOST_NAME}/`);
      expect(status?.guests).toEqual([expect.objectContaining({ name: GUEST, serving: true })]);
      expect(status?.conditions?.map((c) => [c.type, c.status]).sort()).toEqual([
        ['Deployed', 'True'],
        ['Published', 'True'],
        ['Ready', 'True'],
        ['Serving', 'True'],
      ]);
    },
    { needs: ['boots the guest with SSH, DNS, HTTP and HTTPS forwarded'] },
  );

  suite.step(
    "resolves the host name through the zone's primary to the forward's host address",
    async () => {
      await eventually(
        async () => (await dig(ports.dns, HOST_NAME, 'A')).data.join() === '127.0.0.1',
        120_000,
        `${HOST_NAME} A 127.0.0.1`,
      );
      expect(await dig(ports.dns, HOST_NAME, 'A', 'tcp')).toEqual({ status: 'NOERROR', data: ['127.0.0.1'] });
    },
    { needs: ['serves the zone from the guest and makes the WebSite Ready'] },
  );

  suite.step(
    'redirects HTTP to HTTPS',
    async () => {
      const answer = await fetchSite(ports.http, HOST_NAME, '/robots.txt');
      expect(answer.status).toBe(301);
      expect(answer.headers.location).toBe(`https://${HOST_NAME}/robots.txt`);
    },
    { needs: ['serves the zone from the guest and makes the WebSite Ready'] },
  );

  suite.step(
    "serves the content over HTTPS with the Secret's certificate",
    async () => {
      // Verified as a browser trusting the certificate would: chain and host name.
      const answer = await https(HOST_NAME, tls.certificate);
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(page('one'));
      expect(answer.fingerprint).toBe(tls.fingerprint);
      expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
      const robots = await fetchSite(ports.https, HOST_NAME, '/robots.txt', {
        https: true,
        trust: tls.certificate,
      });
      expect(robots.body).toBe('User-agent: *\nDisallow:\n');
      // Another name gets the default virtual host: 404, and never this site's certificate.
      const other = await https(`other.${ORIGIN}`);
      expect(other.status).toBe(404);
      expect(other.fingerprint).not.toBe(tls.fingerprint);
    },
    { needs: ['serves the zone from the guest and makes the WebSite Ready'] },
  );

  suite.step(
    'serves changed content within seconds',
    async () => {
      const before = (await getObject<WebSite>('website', 'www'))?.status?.guests?.[0]?.contentHash;
      const started = Date.now();
      await apply(content(page('two')));
      await eventuallyOrReport(
        async () => (await https(HOST_NAME, tls.certificate).catch(() => undefined))?.body === page('two'),
        120_000,
        'the changed content',
      );
      console.log(`changed content served after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // The status follows, checked with the certificate over a new connection as every time.
      await eventuallyOrReport(
        async () => {
          const current = await getObject<WebSite>('website', 'www');
          return isReady(current) && current?.status?.guests?.[0]?.contentHash !== before;
        },
        120_000,
        'the WebSite Ready with the new content',
      );
    },
    { needs: ['serves the zone from the guest and makes the WebSite Ready'] },
  );

  suite.step(
    'takes the A record out of the zone and the site out of Apache when the WebSite is deleted',
    async () => {
      const deleted = await kubectl(['delete', 'website', 'www', '-n', NAMESPACE, '--timeout=300s']);
      expect(deleted.code).toBe(0);
      await eventually(
        async () => (await dig(ports.dns, HOST_NAME, 'A')).status === 'NXDOMAIN',
        120_000,
        `${HOST_NAME} gone from the zone`,
      );
      expect((await dig(ports.dns, ORIGIN, 'TXT')).data).toEqual(['"e2e"']);
      expect((await fetchSite(ports.http, HOST_NAME, '/')).status).toBe(404);
      const answer = await https(HOST_NAME);
      expect(answer.status).toBe(404);
      expect(answer.fingerprint).not.toBe(tls.fingerprint);
      const onGuest = await withGuestShell(NAMESPACE, GUEST, ports.ssh, async (channel) => {
        const files = await channel.run([
          'sh',
          '-c',
          'ls /etc/apache2/servirt/sites /var/www/servirt /etc/apache2/servirt/tls',
        ]);
        const hosts = await channel.run(['apachectl', '-S']);
        return { files: files.stdout, hosts: hosts.stdout + hosts.stderr };
      });
      expect(onGuest.files).not.toContain(SITE_FILES);
      expect(onGuest.hosts).not.toContain(HOST_NAME);
    },
    { needs: ['serves the zone from the guest and makes the WebSite Ready'] },
  );

  suite.step(
    'leaves no domain, volume or seed ISO behind when the zone and the guest are deleted',
    async () => {
      expect((await kubectl(['delete', 'dnszone', 'web-test', '-n', NAMESPACE, '--timeout=300s'])).code).toBe(
        0,
      );
      const deleted = await kubectl(['delete', 'gd', GUEST, '-n', NAMESPACE, '--timeout=300s']);
      expect(deleted.code).toBe(0);
      expect(await leftovers(PREFIX)).toEqual({ domains: [], volumes: [] });
    },
    { needs: [] },
  );
});
