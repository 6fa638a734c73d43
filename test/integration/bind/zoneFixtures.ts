// Keys, zone files and polling for the tests that drive real BIND servers.
import { randomBytes } from 'node:crypto';
import { sleep } from '../../../hack/cluster/processes.js';
import type { TsigKeyConfig } from '../../../operator/src/guest/bind/model.js';
import { initialZoneFile } from '../../../operator/src/guest/bind/zoneFiles.js';

export const tsigKey = (name: string): TsigKeyConfig => ({
  name,
  algorithm: 'hmac-sha256',
  secret: randomBytes(32).toString('base64'),
});

/** A zone that loads: SOA with the serial given, NS, and the NS's address. */
export const zoneFileOf = (origin: string, serial: number) =>
  initialZoneFile(
    origin,
    {
      name: origin,
      type: 'SOA',
      ttl: 300,
      data: `ns1.${origin} hostmaster.${origin} ${serial} 3600 900 1209600 60`,
    },
    [
      { name: origin, type: 'NS', ttl: 300, data: `ns1.${origin}` },
      { name: `ns1.${origin}`, type: 'A', ttl: 300, data: '127.0.0.1' },
    ],
  );

/** Polls probe until done says so; resolves with the milliseconds it took. */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  while (!done(await probe())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not so after ${timeoutMs} ms`);
    await sleep(50);
  }
  return performance.now() - started;
}
