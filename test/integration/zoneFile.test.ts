// The zone file parser against BIND itself: for every fixture zone, the records parseZoneFile reads
// are the records named-checkzone loads. BIND's dump of the loaded zone is read back through the
// same parser, which evens out what BIND prints differently (the case it read names in, relative
// names, hex split by spaces, ::ffff:192.0.2.1 for IPv4-mapped addresses).
import { describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { recordKey, sortRecords } from '../../operator/src/dns/record.js';
import { parseZoneFile, type ZoneFile } from '../../operator/src/dns/zoneFile.js';
import { repoPath, runCommand } from './cluster.js';

const zonesDir = repoPath('test/fixtures/zones');
const fixtures = (await readdir(zonesDir))
  .filter((file) => file.endsWith('.zone'))
  .sort()
  .map((file) => [file, file.slice(0, -'.zone'.length)] as const);

const keys = (zone: ZoneFile) => sortRecords(zone.records).map(recordKey);
const unsupported = (zone: ZoneFile) => zone.unsupported.map(({ name, type }) => `${name} ${type}`).sort();

async function bindDump(origin: string, file: string, style: 'full' | 'relative'): Promise<string> {
  const dump = await runCommand('named-checkzone', [
    '-D',
    '-s',
    style,
    '-o',
    '-',
    origin,
    `${zonesDir}/${file}`,
  ]);
  expect(dump.code).toBe(0);
  return dump.stdout;
}

describe('zone file fixtures', () => {
  it('are at least five zones of a few hundred records, each within a DnsZone', async () => {
    const counts = await Promise.all(
      fixtures.map(
        async ([file, origin]) => parseZoneFile(await readFile(`${zonesDir}/${file}`), origin).records.length,
      ),
    );
    expect(counts.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...counts)).toBeLessThanOrEqual(1000);
    expect(counts.reduce((sum, count) => sum + count)).toBeGreaterThanOrEqual(300);
  });

  it.each(fixtures)('%s passes named-checkzone', async (file, origin) => {
    const checked = await runCommand('named-checkzone', [origin, `${zonesDir}/${file}`]);
    expect(checked.stdout).toMatch(/loaded serial [0-9]+\nOK\n$/);
    expect(checked.code).toBe(0);
  });

  it.each(fixtures)('%s has one TTL per RRset and no duplicates', async (file, origin) => {
    expect(parseZoneFile(await readFile(`${zonesDir}/${file}`), origin).warnings).toEqual([]);
  });
});

describe('parseZoneFile reads what BIND loads', () => {
  it.each(fixtures)('%s, against named-checkzone -D -s full', async (file, origin) => {
    const ours = parseZoneFile(await readFile(`${zonesDir}/${file}`), origin);
    const bind = parseZoneFile(await bindDump(origin, file, 'full'), origin);
    expect(keys(ours)).toEqual(keys(bind));
    expect(unsupported(ours)).toEqual(unsupported(bind));
  });

  it.each(fixtures)('%s, against named-checkzone -D -s relative', async (file, origin) => {
    const ours = parseZoneFile(await readFile(`${zonesDir}/${file}`), origin);
    const bind = parseZoneFile(await bindDump(origin, file, 'relative'), origin);
    expect(keys(ours)).toEqual(keys(bind));
    expect(unsupported(ours)).toEqual(unsupported(bind));
  });
});
