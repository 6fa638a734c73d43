// The generated BIND configuration and zone files as BIND's own checkers see them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { primaryZoneConfig, renderServerConfig } from '../../operator/src/guest/bind/config.js';
import {
  GUEST_BIND_LAYOUT,
  localBindLayout,
  mainConfigContent,
  type BindLayout,
} from '../../operator/src/guest/bind/layout.js';
import { EMPTY_SERVER_CONFIG, type ServerConfig } from '../../operator/src/guest/bind/model.js';
import {
  catalogMemberName,
  catalogZoneFile,
  initialZoneFile,
} from '../../operator/src/guest/bind/zoneFiles.js';

const execFileAsync = promisify(execFile);
/** Like execFile, with the command's output in the error when it fails. */
async function exec(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(command, args);
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

const secret = (seed: string) => Buffer.from(seed.padEnd(32, '.')).toString('base64');
const full: ServerConfig = {
  keys: [
    { name: 'servirt-transfer.ns1', algorithm: 'hmac-sha256', secret: secret('ns1') },
    { name: 'servirt-transfer.ns0', algorithm: 'hmac-sha512', secret: secret('ns0') },
  ],
  servedCatalogs: [
    {
      zone: 'ns2.ns1.catalog.servirt.invalid',
      transferKey: 'servirt-transfer.ns1',
      notify: [{ address: '10.0.2.2', port: 5302 }],
    },
  ],
  followedCatalogs: [
    {
      zone: 'ns1.ns0.catalog.servirt.invalid',
      primary: { address: '10.0.2.2', port: 5300 },
      transferKey: 'servirt-transfer.ns0',
    },
  ],
};

/** named-checkconf [-z] on the files as a guest would have them, chrooted into a scratch folder. */
async function checkAsGuest(config: ServerConfig, extraLocal = '', loadZones = false) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'servirt-checkconf-'));
  try {
    const inRoot = (file: string) => path.join(root, file);
    await mkdir(inRoot('/etc/bind'), { recursive: true });
    for (const folder of [GUEST_BIND_LAYOUT.directory, GUEST_BIND_LAYOUT.catalogDir])
      await mkdir(inRoot(folder), { recursive: true });
    await copyFile('/etc/bind/named.conf', inRoot('/etc/bind/named.conf'));
    await copyFile('/etc/bind/named.conf.default-zones', inRoot('/etc/bind/named.conf.default-zones'));
    await mkdir(inRoot('/usr/share/dns'), { recursive: true });
    for (const zoneFile of [
      '/etc/bind/db.local',
      '/etc/bind/db.127',
      '/etc/bind/db.0',
      '/etc/bind/db.255',
      '/usr/share/dns/root.hints',
    ])
      await copyFile(zoneFile, inRoot(zoneFile));
    await exec('/usr/sbin/rndc-confgen', [
      '-a',
      '-A',
      'hmac-sha256',
      '-c',
      inRoot(GUEST_BIND_LAYOUT.rndcKeyFile),
    ]);
    for (const file of renderServerConfig(GUEST_BIND_LAYOUT, config))
      await writeFile(
        inRoot(file.path),
        file.path === GUEST_BIND_LAYOUT.localFile ? file.content + extraLocal : file.content,
      );
    return await exec('/usr/bin/named-checkconf', [
      ...(loadZones ? ['-z'] : []),
      '-t',
      root,
      GUEST_BIND_LAYOUT.mainConfig,
    ]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe('generated BIND configuration', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'servirt-bindconfig-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('passes named-checkconf as a first-boot guest configuration, without a warning', async () => {
    expect(await checkAsGuest(EMPTY_SERVER_CONFIG)).toEqual({ stdout: '', stderr: '' });
  });

  it('passes named-checkconf with keys and catalogs, and the served catalog loads', async () => {
    const checked = await checkAsGuest(full, '', true);
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toMatch(/zone ns2\.ns1\.catalog\.servirt\.invalid\/IN: loaded serial 1/);
  });

  it.each([
    ['an unsigned zone', undefined],
    ['a signed zone', 'default' as const],
    ['a zone going unsigned', 'insecure' as const],
  ])(
    'gives rndc addzone options that named-checkconf takes for %s, without a warning',
    async (_, dnssecPolicy) => {
      const options = primaryZoneConfig(GUEST_BIND_LAYOUT, {
        origin: 'example.com',
        updateKey: 'servirt-transfer.ns1',
        transferKeys: ['servirt-transfer.ns1'],
        notify: [{ peer: { address: '10.0.2.2', port: 5302 }, key: 'servirt-transfer.ns1' }],
        ...(dnssecPolicy && { dnssecPolicy }),
      });
      expect(await checkAsGuest(full, `zone "example.com." ${options}\n`)).toEqual({
        stdout: '',
        stderr: '',
      });
    },
  );

  it('passes named-checkconf in a local layout, as the tests and benchmarks run named', async () => {
    const layout: BindLayout = localBindLayout(scratch, { dns: 5300, control: 5301 });
    await exec('/usr/sbin/rndc-confgen', ['-a', '-A', 'hmac-sha256', '-c', layout.rndcKeyFile]);
    await mkdir(layout.directory);
    for (const file of renderServerConfig(layout, full)) {
      await mkdir(path.dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
    }
    await writeFile(layout.mainConfig, mainConfigContent(layout.mainConfigIncludes));
    expect(await exec('/usr/bin/named-checkconf', ['-z', layout.mainConfig])).toMatchObject({ stderr: '' });
  });

  it('writes zone files that named-checkzone loads', async () => {
    const zoneFile = path.join(scratch, 'example.com.db');
    await writeFile(
      zoneFile,
      initialZoneFile(
        'example.com.',
        {
          name: 'example.com.',
          type: 'SOA',
          ttl: 3600,
          data: 'ns1.example.com. hostmaster.example.com. 7 3600 900 1209600 300',
        },
        [
          { name: 'example.com.', type: 'NS', ttl: 3600, data: 'ns1.example.com.' },
          { name: 'ns1.example.com.', type: 'A', ttl: 3600, data: '192.0.2.1' },
          { name: 'example.com.', type: 'TXT', ttl: 60, data: '"v=spf1 -all" "semi;colon"' },
        ],
      ),
    );
    const zone = await exec('/usr/bin/named-checkzone', ['example.com', zoneFile]);
    expect(zone.stdout).toMatch(/loaded serial 7\nOK/);

    const catalogFile = path.join(scratch, 'catalog.db');
    await writeFile(
      catalogFile,
      catalogZoneFile('cat.example') +
        `${catalogMemberName('cat.example', 'example.com')} 0 IN PTR example.com.\n`,
    );
    const catalog = await exec('/usr/bin/named-checkzone', ['cat.example', catalogFile]);
    expect(catalog.stdout).toMatch(/loaded serial 1\nOK/);
  });
});
