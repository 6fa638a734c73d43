// The API as the real API server enforces it: samples accepted, invalid objects rejected
// with a message naming the field, explain and printer columns working.
import { readdir, readFile } from 'node:fs/promises';
import { kubectl, repoPath } from './cluster.js';

const invalidDir = repoPath('test/fixtures/invalid');
const invalidFiles = (await readdir(invalidDir)).filter((name) => name.endsWith('.yaml')).sort();

describe('CRDs on the real API server', () => {
  // A namespace of their own, removed afterwards: the samples name a real local libvirt host,
  // and operators that other tests start must not boot their guests.
  beforeAll(async () => {
    await kubectl(['create', 'namespace', 'samples']);
    const applied = await kubectl(['apply', '-n', 'samples', '-f', repoPath('config/samples/')]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    // The samples for real hosts name hosts that do not exist here: admission only.
    const real = await kubectl([
      'create',
      '--dry-run=server',
      '-n',
      'samples',
      '-f',
      repoPath('config/samples/real-hosts/'),
    ]);
    expect(real.stderr).toBe('');
    expect(real.stdout).toMatch(/guestdomain.servirt.dev\/web3 created/);
  });
  afterAll(async () => {
    await kubectl(['delete', '-n', 'samples', '-f', repoPath('config/samples/'), '--wait=false']);
  });

  it('has at least 30 invalid fixtures', () => {
    expect(invalidFiles.length).toBeGreaterThanOrEqual(30);
  });

  it.each(invalidFiles)('rejects %s at admission, naming the field', async (file) => {
    const text = await readFile(`${invalidDir}/${file}`, 'utf8');
    const expected = /^# expect: (.+)$/m.exec(text)?.[1]?.trim();
    expect(expected).toBeDefined();
    const result = await kubectl(['create', '--dry-run=server', '-f', `${invalidDir}/${file}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(expected);
  });

  it('explains dnszone.spec.records with descriptions', async () => {
    const explained = await kubectl(['explain', 'dnszone.spec.records']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/DESCRIPTION:\s*\n\s+\S+/);
    expect(explained.stdout).toMatch(/FIELDS:/);
    const undocumented = explained.stdout.split('\n').filter((line) => /<no description>/i.test(line));
    expect(undocumented).toEqual([]);
  });

  it('lists every sample under the servirt category with printer columns', async () => {
    const listed = await kubectl(['get', 'servirt', '-n', 'samples']);
    expect(listed.code).toBe(0);
    for (const kind of ['virtualhost', 'guestdomain', 'dnszone', 'website', 'benchmark']) {
      expect(listed.stdout).toContain(`${kind}.servirt.dev/`);
    }
    expect(listed.stdout).toMatch(/READY/);
    expect(listed.stdout).toMatch(/AGE/);
  });

  it.each(['vh', 'gd', 'dz', 'ws', 'bench'])('knows the short name %s', async (shortName) => {
    const listed = await kubectl(['get', shortName, '-n', 'samples', '-o', 'name']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim()).not.toBe('');
  });
});
