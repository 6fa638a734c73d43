import { parseLifecycleLine } from './lifecycleEvents.js';

describe('parseLifecycleLine', () => {
  it('reads the domain, event, detail and libvirt time of a timestamped line', () => {
    expect(
      parseLifecycleLine(
        "2026-12-07 15:52:01.123+0000: event 'lifecycle' for domain 'servirt-dns-ns1': Stopped Destroyed",
        5,
      ),
    ).toEqual({
      domain: 'servirt-dns-ns1',
      event: 'Stopped',
      detail: 'Destroyed',
      atMs: Date.parse('2026-12-07T15:52:01.123Z'),
    });
  });

  it('takes the time of reading without a timestamp, and an offset zone as given', () => {
    expect(parseLifecycleLine("event 'lifecycle' for domain 'g': Started Booted", 42)).toMatchObject({
      atMs: 42,
    });
    expect(
      parseLifecycleLine("2026-12-07 16:52:01.000+0100: event 'lifecycle' for domain g: Started Booted", 0)
        ?.atMs,
    ).toBe(Date.parse('2026-12-07T15:52:01.000Z'));
  });

  it('ignores other lines', () => {
    expect(parseLifecycleLine("event 'reboot' for domain 'g'", 0)).toBeUndefined();
    expect(parseLifecycleLine('events received: 3', 0)).toBeUndefined();
    expect(parseLifecycleLine('', 0)).toBeUndefined();
  });
});
