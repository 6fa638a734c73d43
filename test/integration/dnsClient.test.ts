// The DNS client (operator/src/dns) against a real named, and against dig for TSIG streams.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import { freePort } from '../../hack/cluster/processes.js';
import {
  DnsError,
  query,
  querySoaSerial,
  sendUpdate,
  transferZone,
  type DnsEndpoint,
  type Prerequisite,
  type TsigKey,
} from '../../operator/src/dns/client.js';
import { sortRecords } from '../../operator/src/dns/record.js';
import { EXAMPLE_RECORDS, EXAMPLE_ZONE_FILE, rr } from './dns/exampleZone.js';
import { startNamed, type TestNamed } from './dns/namedProcess.js';
import { startSignedAxfrServer } from './dns/signedAxfrServer.js';

const run = promisify(execFile);
const secret = () => randomBytes(32).toString('base64');
const key: TsigKey = { name: 'k', algorithm: 'hmac-sha256', secret: secret() };
const otherAlgorithms: TsigKey[] = (['hmac-sha224', 'hmac-sha384', 'hmac-sha512'] as const).map(
  (algorithm) => ({
    name: `k-${algorithm}`,
    algorithm,
    secret: secret(),
  }),
);

const SOA_LINE = '$TTL 60\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n';
const BULK_RECORDS = 3000;
const BULK_ZONE =
  SOA_LINE +
  Array.from({ length: BULK_RECORDS }, (_, i) => `h${i} TXT "host ${i} ${'x'.repeat(40)}"\n`).join('');
const BIG_RRSET = ['x', 'y', 'z'].map((c) => `big TXT "${c.repeat(200)}"\n`).join('');

let named: TestNamed;
let server: DnsEndpoint;

beforeAll(async () => {
  const signedOnly = 'allow-update { key k; }; allow-transfer { key k; };';
  named = await startNamed(
    [key, ...otherAlgorithms],
    [
      { name: 'example.test', zoneFile: EXAMPLE_ZONE_FILE, options: signedOnly },
      { name: 'dyn.test', zoneFile: SOA_LINE + BIG_RRSET, options: signedOnly },
      { name: 'bulk.test', zoneFile: BULK_ZONE, options: signedOnly },
    ],
  );
  server = { host: '127.0.0.1', port: named.port };
});

afterAll(async () => {
  await named?.stop();
});

async function dnsError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof DnsError) return error.rcode;
  throw new Error(`expected a DnsError, got ${String(error)}`);
}

describe('DNS client against named', () => {
  it('reads SOA serials; undefined for zones the server does not serve', async () => {
    expect(await querySoaSerial(server, 'example.test')).toBe(2024010101);
    expect(await querySoaSerial(server, 'EXAMPLE.test.', { transport: 'tcp' })).toBe(2024010101);
    expect(await querySoaSerial(server, 'elsewhere.example')).toBeUndefined();
    expect(await querySoaSerial(server, 'www.example.test')).toBeUndefined();
  });

  it('times out when nothing answers', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const port = silent.address().port;
      expect(
        await dnsError(querySoaSerial({ host: '127.0.0.1', port }, 'example.test', { timeoutMs: 300 })),
      ).toBe('TIMEOUT');
    } finally {
      silent.close();
    }
    const closedPort = await freePort();
    const closed = { host: '127.0.0.1', port: closedPort };
    expect(await dnsError(querySoaSerial(closed, 'example.test', { transport: 'tcp', timeoutMs: 300 }))).toBe(
      'TIMEOUT',
    );
  });

  it('transfers a zone with one record of every managed type, in canonical form', async () => {
    const records = await transferZone(server, 'example.test', key);
    expect(records[0]).toEqual(EXAMPLE_RECORDS[0]);
    expect(sortRecords(records)).toEqual(sortRecords(EXAMPLE_RECORDS));
  });

  it('verifies a transfer that takes many messages', async () => {
    const records = await transferZone(server, 'bulk.test', key);
    expect(records).toHaveLength(BULK_RECORDS + 3);
    expect(records.filter((record) => record.type === 'SOA')).toHaveLength(1);
    const hostTexts = records.filter((record) => record.type === 'TXT').map((record) => record.data);
    expect(new Set(hostTexts)).toEqual(
      new Set(Array.from({ length: BULK_RECORDS }, (_, i) => `"host ${i} ${'x'.repeat(40)}"`)),
    );
  });

  it('answers queries signed with every HMAC algorithm', async () => {
    for (const signingKey of [key, ...otherAlgorithms]) {
      const result = await query(server, 'www.example.test', 'A', { key: signingKey });
      expect(result).toMatchObject({
        rcode: 'NOERROR',
        authoritative: true,
        answers: [rr('www.example.test.', 'A', '192.0.2.1')],
      });
    }
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const result = await query(server, 'big.dyn.test', 'TXT');
    expect(result.answers.map((record) => record.data.length).sort()).toEqual([202, 202, 202]);
  });

  it('gets REFUSED for names outside its zones and NXDOMAIN inside', async () => {
    expect((await query(server, 'www.example.org', 'A')).rcode).toBe('REFUSED');
    const missing = await query(server, 'missing.example.test', 'A', { transport: 'tcp' });
    expect(missing).toMatchObject({ rcode: 'NXDOMAIN', authoritative: true, answers: [] });
    expect(missing.authority.map((record) => record.type)).toEqual(['SOA']);
  });

  it('applies updates: additions, deletions, replacements', async () => {
    const serial = await querySoaSerial(server, 'dyn.test');
    const a = (data: string) => rr('host.dyn.test.', 'A', data, 120);
    const txt = rr('host.dyn.test.', 'TXT', '"hello \\"world\\""', 60);
    await sendUpdate(
      server,
      {
        zone: 'dyn.test',
        prerequisites: [],
        deletions: [],
        additions: [a('192.0.2.1'), a('192.0.2.2'), txt],
      },
      key,
    );
    const addresses = async (transport: 'udp' | 'tcp') =>
      sortRecords((await query(server, 'host.dyn.test', 'A', { transport })).answers);
    expect(await addresses('udp')).toEqual([a('192.0.2.1'), a('192.0.2.2')]);
    expect((await query(server, 'host.dyn.test', 'TXT')).answers).toEqual([txt]);
    expect(await querySoaSerial(server, 'dyn.test')).toBeGreaterThan(serial ?? Infinity);

    await sendUpdate(
      server,
      {
        zone: 'dyn.test.',
        prerequisites: [
          {
            kind: 'rrsetExactly',
            name: 'host.dyn.test.',
            type: 'A',
            records: [a('192.0.2.1'), a('192.0.2.2')],
          },
        ],
        deletions: [
          { kind: 'record', record: a('192.0.2.1') },
          { kind: 'rrset', name: 'host.dyn.test.', type: 'TXT' },
        ],
        additions: [a('192.0.2.3')],
      },
      key,
    );
    expect(await addresses('tcp')).toEqual([a('192.0.2.2'), a('192.0.2.3')]);
    expect((await query(server, 'host.dyn.test', 'TXT')).answers).toEqual([]);
  });

  it('fails unmet prerequisites with NXRRSET and YXRRSET', async () => {
    const record = rr('pre.dyn.test.', 'A', '192.0.2.7');
    const update = { zone: 'dyn.test', deletions: [], additions: [record] };
    const exactly: Prerequisite = { kind: 'rrsetExactly', name: record.name, type: 'A', records: [record] };
    const absent: Prerequisite = { kind: 'rrsetAbsent', name: record.name, type: 'A' };
    expect(await dnsError(sendUpdate(server, { ...update, prerequisites: [exactly] }, key))).toBe('NXRRSET');
    await sendUpdate(server, { ...update, prerequisites: [absent] }, key);
    expect(await dnsError(sendUpdate(server, { ...update, prerequisites: [absent] }, key))).toBe('YXRRSET');
    const other: Prerequisite = { ...exactly, records: [{ ...record, data: '192.0.2.8' }] };
    expect(await dnsError(sendUpdate(server, { ...update, prerequisites: [other] }, key))).toBe('NXRRSET');
  });

  it('rejects a wrong key; refuses transfers without TSIG', async () => {
    const wrongSecret = { ...key, secret: secret() };
    const update = {
      zone: 'dyn.test',
      prerequisites: [],
      deletions: [],
      additions: [rr('bad.dyn.test.', 'A', '192.0.2.66')],
    };
    expect(await dnsError(sendUpdate(server, update, wrongSecret))).toBe('BADSIG');
    expect(await dnsError(transferZone(server, 'example.test', wrongSecret))).toBe('BADSIG');
    expect(await dnsError(transferZone(server, 'example.test', { ...key, name: 'unknown-key' }))).toBe(
      'BADKEY',
    );
    expect(await dnsError(query(server, 'www.example.test', 'A', { key: wrongSecret }))).toBe('BADSIG');
    expect((await query(server, 'bad.dyn.test', 'A')).rcode).toBe('NXDOMAIN');
    expect(await dnsError(transferZone(server, 'elsewhere.example', key))).toBe('NOTAUTH');

    const { stdout } = await run('dig', ['-p', String(named.port), '@127.0.0.1', 'example.test', 'AXFR']);
    expect(stdout).toContain('; Transfer failed.');
    expect(stdout).not.toContain('SOA');
  });
});

describe('TSIG on transfer streams with unsigned messages (RFC 8945 5.3.1)', () => {
  const soa = rr(
    'stream.test.',
    'SOA',
    'ns1.stream.test. hostmaster.stream.test. 5 3600 900 1209600 300',
    60,
  );
  const txt = (i: number) => rr(`r${i}.stream.test.`, 'TXT', `"record ${i}"`, 60);
  const messages = [
    { records: [soa, txt(1)], signed: true },
    { records: [txt(2)], signed: false },
    { records: [txt(3)], signed: false },
    { records: [txt(4)], signed: true },
    { records: [txt(5)], signed: false },
    { records: [txt(6), soa], signed: true },
  ];
  const digAxfr = (port: number) =>
    run('dig', [
      '-p',
      String(port),
      '@127.0.0.1',
      '-y',
      `${key.algorithm}:${key.name}:${key.secret}`,
      'stream.test',
      'AXFR',
    ]);

  it.each([
    ['accepts, as dig does, a stream whose MACs cover the unsigned messages', true],
    ['rejects, as dig does, a stream whose MACs leave them out', false],
  ])('%s', async (_what, coverUnsigned) => {
    const stream = await startSignedAxfrServer(key, { messages, coverUnsigned });
    try {
      const dig = await digAxfr(stream.port);
      expect(dig.stdout).toContain('XFR size: 8 records (messages 6');
      const transfer = transferZone({ host: '127.0.0.1', port: stream.port }, 'stream.test', key);
      if (coverUnsigned) {
        expect(`${dig.stdout}${dig.stderr}`).not.toMatch(/verify|could not be validated/i);
        expect(await transfer).toEqual([soa, ...[1, 2, 3, 4, 5, 6].map(txt)]);
      } else {
        expect(dig.stdout).toContain('Some TSIG could not be validated');
        expect(await dnsError(transfer)).toBe('BADSIG');
      }
    } finally {
      await stream.close();
    }
  });
});
