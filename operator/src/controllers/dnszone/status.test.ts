import { describe, expect, it } from '@jest/globals';
import type { DnsZone } from '../../api/types.generated.js';
import { compareSerials, desiredZoneStatus, type ZoneObservation } from './status.js';

const zone = (status?: DnsZone['status']): DnsZone => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: { name: 'example-com', namespace: 'dns', generation: 3 },
  spec: { origin: 'example.com', primary: { guestRef: { name: 'ns1' } } },
  ...(status && { status }),
});
const T0 = '2026-11-27T10:00:00Z';
const T1 = '2026-11-27T10:01:00Z';
const condition = (status: ReturnType<typeof desiredZoneStatus>, type: string) =>
  status.conditions?.find((c) => c.type === type);

describe('compareSerials (RFC 1982)', () => {
  it.each([
    [1, 1, 0],
    [1, 2, -1],
    [2, 1, 1],
    [4294967295, 0, -1],
    [0, 4294967295, 1],
    [0, 2 ** 31, undefined],
  ])('%d vs %d is %s', (a, b, expected) => {
    expect(compareSerials(a, b)).toBe(expected);
  });
});

describe('desiredZoneStatus', () => {
  const inSync: ZoneObservation = {
    serials: [
      { server: 'ns1', role: 'primary', serial: 10 },
      { server: 'ns2', role: 'secondary', serial: 10 },
    ],
    tsigSecretName: 'example-com-tsig',
  };

  it('is Ready when the primary serves and every secondary has its serial', () => {
    const status = desiredZoneStatus(zone(), inSync, T0);
    expect(status.inSync).toBe(true);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 3 });
    expect(condition(status, 'ZoneServed')?.status).toBe('True');
    expect(status.serials).toEqual([
      { server: 'ns1', role: 'primary', serial: 10, checkTime: T0 },
      { server: 'ns2', role: 'secondary', serial: 10, checkTime: T0 },
    ]);
  });

  it('keeps checkTime while a serial stays, so nothing is written', () => {
    const first = desiredZoneStatus(zone(), inSync, T0);
    expect(desiredZoneStatus(zone(first), inSync, T1)).toEqual(first);
  });

  it('names the secondaries behind or silent', () => {
    const status = desiredZoneStatus(
      zone(),
      {
        serials: [
          { server: 'ns1', role: 'primary', serial: 11 },
          { server: 'ns2', role: 'secondary', serial: 10 },
          { server: 'ns3', role: 'secondary', problem: 'connection refused' },
        ],
      },
      T0,
    );
    expect(status.inSync).toBe(false);
    expect(condition(status, 'SecondariesInSync')).toMatchObject({
      status: 'False',
      reason: 'SecondariesBehind',
    });
    expect(condition(status, 'SecondariesInSync')?.message).toContain('ns2 has serial 10, behind');
    expect(condition(status, 'SecondariesInSync')?.message).toContain('ns3 does not answer');
    expect(condition(status, 'Ready')?.status).toBe('False');
  });

  it('reports an invalid spec on Ready while the zone stays served', () => {
    const status = desiredZoneStatus(
      zone(),
      { ...inSync, problem: { kind: 'invalid', reason: 'DuplicateRecord', message: 'twice' } },
      T0,
    );
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'DuplicateRecord' });
    expect(condition(status, 'ZoneServed')?.status).toBe('True');
  });

  it('reports a primary that is not ready on ZoneServed', () => {
    const status = desiredZoneStatus(
      zone(),
      {
        problem: {
          kind: 'primary',
          reason: 'GuestNotReady',
          message: 'GuestDomain ns1 is not GuestReady yet',
        },
        serials: [{ server: 'ns1', role: 'primary', problem: 'not ready' }],
      },
      T0,
    );
    expect(condition(status, 'ZoneServed')).toMatchObject({ status: 'False', reason: 'GuestNotReady' });
    expect(condition(status, 'SecondariesInSync')?.reason).toBe('NoSecondaries');
    expect(status.serials?.[0]).not.toHaveProperty('serial');
  });
});
