import { describe, expect, it } from '@jest/globals';
import type { ResourceRecord } from '../../dns/record.js';
import type { DesiredZone } from './desired.js';
import { changedRRsets, soaChange, splitChanges, updateFor } from './diff.js';

const rr = (name: string, type: string, data: string, ttl = 300): ResourceRecord => ({
  name,
  type,
  ttl,
  data,
});
const origin = 'example.com.';
const soa = rr(origin, 'SOA', 'ns1.example.com. hostmaster.example.com. 7 3600 900 1209600 300', 3600);

describe('changedRRsets', () => {
  it('ignores equal RRsets in any order, SOA and DNSSEC records', () => {
    const actual = [
      soa,
      rr('www.example.com.', 'A', '192.0.2.1'),
      rr('www.example.com.', 'A', '192.0.2.2'),
      rr(origin, 'RRSIG', '\\# 2 0102'),
      rr(origin, 'NSEC', 'www.example.com. A RRSIG NSEC'),
    ];
    const desired = [rr('www.example.com.', 'A', '192.0.2.2'), rr('www.example.com.', 'A', '192.0.2.1')];
    expect(changedRRsets(actual, desired)).toEqual([]);
  });

  it('finds added, removed, changed and re-timed RRsets', () => {
    const actual = [
      rr('a.example.com.', 'A', '192.0.2.1'),
      rr('b.example.com.', 'TXT', '"x"'),
      rr('c.example.com.', 'A', '192.0.2.3'),
    ];
    const desired = [
      rr('a.example.com.', 'A', '192.0.2.9'),
      rr('c.example.com.', 'A', '192.0.2.3', 60),
      rr('d.example.com.', 'MX', '10 mail.example.com.'),
    ];
    const changes = changedRRsets(actual, desired);
    expect(changes.map((c) => `${c.name} ${c.type}`).sort()).toEqual([
      'a.example.com. A',
      'b.example.com. TXT',
      'c.example.com. A',
      'd.example.com. MX',
    ]);
  });
});

describe('updateFor', () => {
  it('requires each changed RRset as observed, deletes and adds only the difference', () => {
    const actual = [rr('a.example.com.', 'A', '192.0.2.1'), rr('a.example.com.', 'A', '192.0.2.2')];
    const desired = [rr('a.example.com.', 'A', '192.0.2.2'), rr('a.example.com.', 'A', '192.0.2.3')];
    const update = updateFor(origin, changedRRsets(actual, desired));
    expect(update.prerequisites).toEqual([
      { kind: 'rrsetExactly', name: 'a.example.com.', type: 'A', records: actual },
    ]);
    expect(update.deletions).toEqual([{ kind: 'record', record: actual[0] }]);
    expect(update.additions).toEqual([desired[1]]);
  });

  it('requires a new RRset to be absent, and replaces an RRset whose TTL changes', () => {
    const update = updateFor(
      origin,
      changedRRsets(
        [rr('t.example.com.', 'TXT', '"a"', 300)],
        [rr('t.example.com.', 'TXT', '"a"', 60), rr('n.example.com.', 'A', '192.0.2.7')],
      ),
    );
    expect(update.prerequisites).toContainEqual({ kind: 'rrsetAbsent', name: 'n.example.com.', type: 'A' });
    expect(update.deletions).toEqual([{ kind: 'rrset', name: 't.example.com.', type: 'TXT' }]);
    expect(update.additions).toEqual([
      rr('t.example.com.', 'TXT', '"a"', 60),
      rr('n.example.com.', 'A', '192.0.2.7'),
    ]);
  });

  it('deletes an RRset that is no longer wanted as a whole', () => {
    const update = updateFor(origin, changedRRsets([rr('x.example.com.', 'A', '192.0.2.1')], []));
    expect(update.deletions).toEqual([{ kind: 'rrset', name: 'x.example.com.', type: 'A' }]);
    expect(update.additions).toEqual([]);
  });

  it('carries an SOA change with the observed SOA as prerequisite', () => {
    const wanted = rr(origin, 'SOA', 'ns1.example.com. hostmaster.example.com. 8 7200 900 1209600 300', 3600);
    const update = updateFor(origin, [], { actual: soa, wanted });
    expect(update.prerequisites).toEqual([
      { kind: 'rrsetExactly', name: origin, type: 'SOA', records: [soa] },
    ]);
    expect(update.additions).toEqual([wanted]);
  });
});

describe('soaChange', () => {
  const zone = (refresh: number): DesiredZone => ({
    origin,
    soa: {
      mname: 'ns1.example.com.',
      rname: 'hostmaster.example.com.',
      refresh,
      retry: 900,
      expire: 1209600,
      minimum: 300,
      ttl: 3600,
    },
    records: [],
  });

  it('is nothing when only the serial differs from what is wanted', () => {
    expect(soaChange(soa, zone(3600))).toBeUndefined();
  });

  it('sends the wanted SOA with the next serial (wrapping at 2^32)', () => {
    expect(soaChange(soa, zone(7200))?.data).toBe(
      'ns1.example.com. hostmaster.example.com. 8 7200 900 1209600 300',
    );
    const last = rr(
      origin,
      'SOA',
      'ns1.example.com. hostmaster.example.com. 4294967295 3600 900 1209600 300',
      3600,
    );
    expect(soaChange(last, zone(7200))?.data).toContain(' 0 7200 ');
  });
});

describe('splitChanges', () => {
  it('keeps batches under the limit, never splitting an RRset', () => {
    const changes = [1, 2, 3, 4, 5].map((n) => ({ name: `n${n}.`, type: 'A', actual: [], desired: [] }));
    expect(splitChanges(changes, () => 40, 100).map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(splitChanges(changes, () => 500, 100).map((batch) => batch.length)).toEqual([1, 1, 1, 1, 1]);
    expect(splitChanges([], () => 1)).toEqual([]);
  });
});
