// `servirt zone import` end to end: the CLI turns every fixture zone into a manifest that the API
// server accepts (schema and CEL rules, dry run), and the records the server would store are the
// records of the zone file.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DnsZone } from '../../operator/src/api/types.generated.js';
import { recordFromEntry } from '../../operator/src/controllers/dnszone/records.js';
import { recordKey, sortRecords } from '../../operator/src/dns/record.js';
import { parseZoneFile } from '../../operator/src/dns/zoneFile.js';
import { kubectl, repoPath, runCommand } from './cluster.js';

const zonesDir = repoPath('test/fixtures/zones');
const fixtures = (await readdir(zonesDir))
  .filter((file) => file.endsWith('.zone'))
  .sort()
  .map((file) => [file, file.slice(0, -'.zone'.length)] as const);

/** Lines of the records each fixture has that a DnsZone cannot hold. */
const DROPPED: Record<string, number[]> = { 'legacy.example.zone': [7, 8, 12] };

function servirt(args: string[]) {
  return runCommand(process.execPath, ['--import', 'tsx', repoPath('operator/src/cli/main.ts'), ...args]);
}

describe('servirt zone import', () => {
  beforeAll(async () => {
    const created = await kubectl(['create', 'namespace', 'samples']);
    if (created.code !== 0) expect(created.stderr).toContain('AlreadyExists');
  });

  it.each(fixtures)('imports %s into a DnsZone the API server accepts', async (file, origin) => {
    const imported = await servirt([
      'zone',
      'import',
      `${zonesDir}/${file}`,
      '--origin',
      origin,
      '--namespace',
      'samples',
    ]);
    expect(imported.code).toBe(0);
    const warnedLines = [...imported.stderr.matchAll(/\.zone:([0-9]+): warning: dropped/g)].map((match) =>
      Number(match[1]),
    );
    expect(warnedLines).toEqual(DROPPED[file] ?? []);

    const applied = await kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], imported.stdout);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const stored = JSON.parse(applied.stdout) as DnsZone;

    const zone = parseZoneFile(await readFile(`${zonesDir}/${file}`), origin);
    const { defaultTTL = 3600, records = [], soa = {} } = stored.spec;
    const served = records.map((entry) => recordFromEntry(entry, stored.spec.origin, defaultTTL));
    const fromFile = zone.records.filter((record) => record.type !== 'SOA');
    expect(sortRecords(served).map(recordKey)).toEqual(sortRecords(fromFile).map(recordKey));

    const [mname, rname, , ...timers] =
      zone.records.find((record) => record.type === 'SOA')?.data.split(' ') ?? [];
    const absolute = (name = '') => (name.endsWith('.') ? name : `${name}.${zone.origin}`);
    expect([
      absolute(soa.mname),
      absolute(soa.rname),
      soa.refresh,
      soa.retry,
      soa.expire,
      soa.minimum,
    ]).toEqual([mname, rname, ...timers.map(Number)]);
    expect(soa.ttl ?? defaultTTL).toBe(zone.records.find((record) => record.type === 'SOA')?.ttl);
  });

  it('fails on a zone it cannot read, naming the file and line', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'servirt-zone-import-')), 'example.com.zone');
    await writeFile(file, '$TTL 1h\n@ SOA ns1 h 1 1h 15m 2w 5m\n NS ns1\n$GENERATE 1-9 h$ A 192.0.2.$\n');
    const imported = await servirt(['zone', 'import', file, '--origin', 'example.com']);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toBe('');
    expect(imported.stderr).toContain(`${file}:4: $GENERATE is not supported`);
  });

  it('prints its usage for help and exits 2 on an unknown command', async () => {
    expect(await servirt(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^usage: servirt zone import/),
    });
    expect(await servirt(['zone', 'export'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^usage:/),
    });
  });
});
