import { describe, expect, it } from '@jest/globals';
import type { WebSite } from '../../api/types.generated.js';
import { desiredSiteStatus } from './status.js';

const site = (tls = false, status?: WebSite['status']): WebSite => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'WebSite',
  metadata: { name: 'www', namespace: 'web', generation: 2 },
  spec: {
    hostNames: ['*.example.test', 'example.test'],
    guests: [{ name: 'web1' }, { name: 'web2' }],
    content: { inline: { 'index.html': 'hi' } },
    ...(tls && { tls: { secretRef: { name: 'tls' } } }),
  },
  ...(status && { status }),
});
const T0 = '2026-11-27T10:00:00Z';
const T1 = '2026-11-27T10:05:00Z';
const condition = (status: ReturnType<typeof desiredSiteStatus>, type: string) =>
  status.conditions?.find((c) => c.type === type);

describe('desiredSiteStatus', () => {
  const serving = [
    { name: 'web1', contentHash: 'a'.repeat(64), reloaded: true, serving: true },
    { name: 'web2', contentHash: 'a'.repeat(64), reloaded: true, serving: true },
  ];

  it('is Ready when every guest has the site and answers with it', () => {
    const status = desiredSiteStatus(
      site(true),
      { guests: serving, publishing: { ok: true, zone: 'example-test' } },
      T0,
    );
    expect(status.url).toBe('https://www.example.test/');
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(condition(status, 'Published')?.status).toBe('True');
    expect(status.guests).toEqual([
      { name: 'web1', serving: true, contentHash: 'a'.repeat(64), lastReload: T0 },
      { name: 'web2', serving: true, contentHash: 'a'.repeat(64), lastReload: T0 },
    ]);
  });

  it('keeps lastReload when nothing was reloaded, so a quiet reconcile writes nothing', () => {
    const first = desiredSiteStatus(site(), { guests: serving }, T0);
    const quiet = serving.map((g) => ({ ...g, reloaded: false }));
    expect(desiredSiteStatus(site(false, first), { guests: quiet }, T1)).toEqual(first);
  });

  it('says the site is served as it was when the input is bad', () => {
    const status = desiredSiteStatus(
      site(),
      {
        problem: { reason: 'TLSKeyMismatch', message: 'tls.key is not the key' },
        guests: serving.map((g) => ({ ...g, reloaded: false })),
      },
      T0,
    );
    expect(condition(status, 'Deployed')).toMatchObject({ status: 'False', reason: 'TLSKeyMismatch' });
    expect(condition(status, 'Deployed')?.message).toContain('served as it was');
    expect(condition(status, 'Serving')?.status).toBe('True');
    expect(condition(status, 'Ready')?.reason).toBe('TLSKeyMismatch');
  });

  it('names the guests that do not serve, and host names it cannot publish', () => {
    const status = desiredSiteStatus(
      site(),
      {
        guests: [
          serving[0] as (typeof serving)[number],
          { name: 'web2', problem: 'GuestDomain web2 is not GuestReady yet', serving: false },
        ],
        publishing: { ok: false, reason: 'HostNamesOutsideZone', message: 'example.test is outside x.test' },
      },
      T0,
    );
    expect(condition(status, 'Deployed')?.message).toBe('web2: GuestDomain web2 is not GuestReady yet');
    expect(condition(status, 'Serving')?.message).toContain('web2');
    expect(condition(status, 'Published')?.reason).toBe('HostNamesOutsideZone');
    expect(condition(status, 'Ready')?.status).toBe('False');
  });
});
