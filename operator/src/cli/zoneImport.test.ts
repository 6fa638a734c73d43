import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { parseZoneFile } from '../dns/zoneFile.js';
import { dnsZoneManifest, ZoneImportError, zoneImportCommand } from './zoneImport.js';

const ZONE = `$TTL 1h
@       2h SOA ns1 hostmaster.example.com. ( 2024010101 2h 30m 2w 5m )
           NS  ns1
           NS  ns.provider.example.net.
           MX  10 mail
           HINFO "PC" "Linux"
ns1        A   192.0.2.53
mail    5m A   192.0.2.25
_sip._tcp  SRV 0 0 5060 sip.example.net.
odd        SRV 0 0 5060 sip.example.net.
`;

function manifestOf(text: string, options = {}) {
  return dnsZoneManifest(parseZoneFile(text, 'example.com'), options);
}

describe('dnsZoneManifest', () => {
  it('makes spec.soa, defaultTTL and records from the zone file', () => {
    const { manifest } = manifestOf(ZONE);
    expect(manifest.metadata).toEqual({ name: 'example-com' });
    expect(manifest.spec).toEqual({
      origin: 'example.com',
      primary: { guestRef: { name: 'ns1' } },
      soa: {
        mname: 'ns1',
        rname: 'hostmaster',
        refresh: 7200,
        retry: 1800,
        expire: 1209600,
        minimum: 300,
        ttl: 7200,
      },
      defaultTTL: 3600,
      records: [
        { name: '@', type: 'NS', value: 'ns1' },
        { name: '@', type: 'NS', value: 'ns.provider.example.net.' },
        { name: '@', type: 'MX', mx: { preference: 10, exchange: 'mail' } },
        { name: 'ns1', type: 'A', value: '192.0.2.53' },
        { name: 'mail', type: 'A', ttl: 300, value: '192.0.2.25' },
        {
          name: '_sip._tcp',
          type: 'SRV',
          srv: { priority: 0, weight: 0, port: 5060, target: 'sip.example.net.' },
        },
      ],
    });
  });

  it('warns about what it drops, with the lines', () => {
    const { warnings } = manifestOf(ZONE);
    expect(warnings.map(({ line }) => line)).toEqual([6, 10]);
    expect(warnings[0]?.message).toMatch(/dropped example.com. HINFO: a DnsZone cannot hold HINFO records/);
    expect(warnings[1]?.message).toMatch(/dropped odd.example.com. SRV: .*_service._proto/);
  });

  it('takes name, namespace and servers from the options', () => {
    const options = { name: 'corp', namespace: 'dns', primary: 'bind-a', secondaries: ['bind-b', 'bind-c'] };
    const { manifest } = manifestOf(ZONE, options);
    expect(manifest.metadata).toEqual({ name: 'corp', namespace: 'dns' });
    expect(manifest.spec.primary).toEqual({ guestRef: { name: 'bind-a' } });
    expect(manifest.spec.secondaries).toEqual([
      { guestRef: { name: 'bind-b' } },
      { guestRef: { name: 'bind-c' } },
    ]);
  });

  it('uses the most common TTL without $TTL, and absolute SOA names outside the zone', () => {
    const text =
      '@ 60 SOA ns.example.net. root.example.com. 1 1h 15m 2w 5m\n NS ns.example.net.\na 300 A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n';
    const { manifest } = manifestOf(text);
    expect(manifest.spec.defaultTTL).toBe(300);
    expect(manifest.spec.soa).toMatchObject({ mname: 'ns.example.net.', rname: 'root', ttl: 60 });
    expect(manifest.spec.records?.map((record) => record.ttl)).toEqual([60, undefined, undefined, undefined]);
  });

  it('lowers an SOA minimum over one day, with a warning', () => {
    const { manifest, warnings } = manifestOf(
      '$TTL 1h\n@ SOA ns1 h 1 1h 15m 2w 2d\n NS ns1\nns1 A 192.0.2.1\n',
    );
    expect(manifest.spec.soa?.minimum).toBe(86400);
    expect(warnings).toEqual([
      { line: 2, message: expect.stringMatching(/SOA minimum 172800 lowered to 86400/) },
    ]);
  });

  it.each([
    ['retry not under refresh', '@ SOA ns1 h 1 1h 1h 2w 5m', /retry \(3600\) must be less than its refresh/],
    [
      'expire not over refresh',
      '@ SOA ns1 h 1 1h 15m 1h 5m',
      /expire \(3600\) must be more than its refresh/,
    ],
    [
      'an SOA name with an escaped dot',
      '@ SOA ns1 first\\.last 1 1h 15m 2w 5m',
      /first\\.last.example.com. cannot be written/,
    ],
  ])('refuses %s', (_, soa, message) => {
    expect(() => manifestOf(`$TTL 1h\n${soa}\n NS ns1\nns1 A 192.0.2.1\n`)).toThrow(message);
  });

  it('refuses more than 1000 records', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => `h${i} A 192.0.2.1\n`).join('');
    expect(() => manifestOf(`$TTL 1h\n@ SOA ns1 h 1 1h 15m 2w 5m\n NS ns1\n${hosts}`)).toThrow(
      ZoneImportError,
    );
    expect(() => manifestOf(`$TTL 1h\n@ SOA ns1 h 1 1h 15m 2w 5m\n NS ns1\n${hosts}`)).toThrow(
      /1001 records; a DnsZone holds at most 1000/,
    );
  });
});

describe('zoneImportCommand', () => {
  async function run(args: string[]) {
    const out = { stdout: '', stderr: '' };
    const code = await zoneImportCommand(args, {
      stdout: (text) => void (out.stdout += text),
      stderr: (text) => void (out.stderr += text),
    });
    return { code, ...out };
  }

  async function zoneFile(text: string): Promise<string> {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'servirt-zone-import-')), 'example.com.zone');
    await writeFile(file, text);
    return file;
  }

  it('prints the manifest as YAML and warnings on stderr', async () => {
    const file = await zoneFile(ZONE);
    const result = await run([file, '--origin', 'Example.COM.', '--secondary', 'ns2']);
    expect(result.code).toBe(0);
    const manifest = parse(result.stdout);
    expect(manifest).toEqual(
      dnsZoneManifest(parseZoneFile(ZONE, 'example.com'), { secondaries: ['ns2'] }).manifest,
    );
    expect(result.stdout).toMatch(/^# Imported from example.com.zone/);
    expect(result.stderr).toContain(`${file}:6: warning: dropped example.com. HINFO`);
  });

  it('names the file and line of an error, exiting 1', async () => {
    const file = await zoneFile('$TTL 1h\n@ SOA ns1 h 1 1h 15m 2w 5m\n$INCLUDE other.zone\n');
    const result = await run([file, '--origin', 'example.com']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(new RegExp(`^${file}:3: \\$INCLUDE is not supported`));
  });

  it.each([
    [['--origin', 'example.com']],
    [['a.zone']],
    [['a.zone', '--origin', 'under_score.example']],
    [['a.zone', '--origin', 'example.com', '--bogus']],
  ])('exits 2 on bad arguments: %j', async (args) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/servirt zone import/);
  });
});
