// `npm run zone:roundtrip` end to end: the richest fixture zone, imported and served by the DnsZone
// controller from a real primary and secondary, is what named-checkzone loads from the file; a
// copy with what a DnsZone cannot hold is reported record by record.
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath, runCommand } from './cluster.js';

const FIXTURE = repoPath('test/fixtures/zones/example.com.zone');

async function roundtrip(file: string, origin: string) {
  const result = await runCommand(process.execPath, [
    '--import',
    'tsx',
    repoPath('test/tools/zoneRoundtrip.ts'),
    file,
    origin,
  ]);
  const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
  return { ...result, report: JSON.parse(lastLine) as Record<string, unknown> };
}

describe('npm run zone:roundtrip', () => {
  it('finds example.com served exactly as the zone file says, on the primary and the secondary', async () => {
    const { code, report, stderr } = await roundtrip(FIXTURE, 'example.com');
    expect(report).toEqual({ match: true, records: 90, differences: [] });
    expect(code).toBe(0);
    expect(stderr).toContain('ns1: 90 records');
    expect(stderr).toContain('ns2: 90 records');
  }, 60_000);

  it('lists what did not survive the import, and the SOA a DnsZone changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'servirt-roundtrip-it-'));
    try {
      const file = path.join(dir, 'example.com.zone');
      const original = await readFile(FIXTURE, 'utf8');
      const minimumLine = '                           5m )       ; negative caching TTL';
      expect(original).toContain(minimumLine);
      await writeFile(
        file,
        original.replace(minimumLine, '                           2d )') +
          'old-box IN HINFO "PDP-11" "UNIX V6"\n',
      );
      const { code, report } = await roundtrip(file, 'example.com');
      const soa = 'example.com. 3600 SOA ns1.example.com. hostmaster.example.com. <serial> 7200 1800 1209600';
      expect(report).toEqual({
        match: false,
        records: 91,
        differences: [
          `- ${soa} 172800 (ns1, ns2)`,
          `+ ${soa} 86400 (ns1, ns2)`,
          '- old-box.example.com. 3600 HINFO "PDP-11" "UNIX V6" (ns1, ns2; dropped on import: a DnsZone cannot hold HINFO records)',
        ],
      });
      expect(code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
