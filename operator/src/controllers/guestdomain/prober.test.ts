import type { GuestDomain } from '../../api/types.generated.js';
import { GuestConnectError, type GuestChannel } from '../../guest/channel.js';
import { GuestProber, type Connect, type ProbeTarget } from './prober.js';
import { PROBE_SEPARATOR, probeSettings } from './readiness.js';

const done = `{"v1": {"stage": null}}\n${PROBE_SEPARATOR}\n{"v1": {"errors": []}}`;
const channel = (stdout: string): GuestChannel => ({
  run: () => Promise.resolve({ code: 0, stdout, stderr: '' }),
  writeFile: () => Promise.resolve(),
  readFile: () => Promise.resolve(Buffer.alloc(0)),
  close: () => undefined,
});
const target = (incarnation = 'u1 t0'): ProbeTarget => ({
  incarnation,
  endpoint: { host: '127.0.0.1', port: 10022, username: 'root', privateKey: 'k', hostPublicKey: 'h' },
  settings: probeSettings({
    spec: { readinessProbe: { periodSeconds: 10, timeoutSeconds: 60 } },
  } as GuestDomain),
  startedAtMs: 0,
});

function harness(connect: Connect) {
  let clock = 1_000_000;
  const changed: string[] = [];
  const prober = new GuestProber(
    connect,
    (key) => changed.push(key),
    () => clock,
  );
  return { prober, changed, tick: (ms: number) => (clock += ms) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GuestProber', () => {
  it('runs one probe at a time, no more often than the period, with the whole timeout', async () => {
    const timeouts: number[] = [];
    let release: (c: GuestChannel) => void = () => undefined;
    const { prober, changed, tick } = harness((_endpoint, timeoutMs) => {
      timeouts.push(timeoutMs);
      return new Promise((resolve) => (release = resolve));
    });
    expect(prober.observe('ns/g', target())).toBeUndefined();
    tick(30_000);
    prober.observe('ns/g', target()); // still in flight: no second connection
    expect(timeouts).toEqual([60_000]);
    release(channel(done));
    await settle();
    expect(changed).toEqual(['ns/g']);
    expect(prober.observe('ns/g', target())?.last).toEqual({ kind: 'ready' });
    expect(timeouts).toHaveLength(2); // 30 s passed since the first started: due again
    release(channel(done));
    await settle();
    tick(5_000);
    prober.observe('ns/g', target());
    expect(timeouts).toHaveLength(2); // within the period
  });

  it('starts afresh for a new incarnation and ignores the old one’s late result', async () => {
    const releases: ((c: GuestChannel) => void)[] = [];
    const { prober } = harness(() => new Promise((resolve) => releases.push(resolve)));
    prober.observe('ns/g', target('u1 t0'));
    prober.observe('ns/g', target('u1 t1'));
    expect(releases).toHaveLength(2);
    releases[0]?.(channel(done));
    await settle();
    expect(prober.observe('ns/g', target('u1 t1'))).toBeUndefined();
    releases[1]?.(channel(done));
    await settle();
    expect(prober.observe('ns/g', target('u1 t1'))?.last).toEqual({ kind: 'ready' });
  });

  it('reads the console only when SSH fails, to tell not booted from no SSH', async () => {
    const { prober } = harness(() => Promise.reject(new GuestConnectError('x', 'refused')));
    prober.observe('ns/g', { ...target(), consoleTail: () => Promise.resolve('') });
    await settle();
    await settle();
    expect(prober.observe('ns/g', target())?.last).toMatchObject({ reason: 'NotBooted' });
  });
});
