// "Pod IPs" for stand-in instances: 127.77.0.N. Linux routes all of 127.0.0.0/8 to lo, so any
// of these addresses can be bound without configuring anything; QEMU's user-mode networking
// then listens on it for the guest's forwarded ports.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ADDRESS_PREFIX = '127.77.0.';
/** Guest ports the stand-in forwards from the instance's address, per protocol. */
export const FORWARDS: { protocol: 'tcp' | 'udp'; port: number }[] = [
  { protocol: 'tcp', port: 22 },
  { protocol: 'tcp', port: 53 },
  { protocol: 'udp', port: 53 },
  { protocol: 'tcp', port: 80 },
  { protocol: 'tcp', port: 443 },
];

const WILDCARDS = new Set(['0.0.0.0', '*', '[::]', '::']);

/** Local address and port of every listening TCP and bound UDP socket (`ss -Htuln`). */
async function boundSockets(): Promise<{ protocol: string; address: string; port: number }[]> {
  const { stdout } = await run('ss', ['-Htuln']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 5)
    .map((fields) => {
      const local = fields[4] ?? '';
      const colon = local.lastIndexOf(':');
      // "127.0.0.1%lo:53" names an interface; "[::ffff:127.77.0.1]:22" is IPv4 in IPv6.
      const address = local
        .slice(0, colon)
        .replace(/%.*$/, '')
        .replace(/^\[::ffff:(.*)\]$/, '$1');
      return { protocol: fields[0] ?? '', address, port: Number(local.slice(colon + 1)) };
    });
}

/**
 * The lowest 127.77.0.N (N from 1) that is not in `taken` and has none of the forwarded ports
 * bound. A wildcard listener (0.0.0.0:22, say) blocks the port on every address: then no N works.
 */
export async function freeLoopbackAddress(taken: Set<string>): Promise<string> {
  const sockets = await boundSockets();
  const forwarded = (s: { protocol: string; port: number }) =>
    FORWARDS.some((f) => f.protocol === s.protocol && f.port === s.port);
  const blocking = sockets.filter((s) => forwarded(s) && WILDCARDS.has(s.address));
  if (blocking.length > 0) {
    const list = blocking.map((s) => `${s.protocol} ${s.address}:${s.port}`).join(', ');
    throw new Error(`no stand-in address can forward the guest's ports: bound on every address: ${list}`);
  }
  const used = new Set(sockets.filter(forwarded).map((s) => s.address));
  for (let n = 1; n < 255; n++) {
    const address = `${ADDRESS_PREFIX}${n}`;
    if (!taken.has(address) && !used.has(address)) return address;
  }
  throw new Error(`all of ${ADDRESS_PREFIX}1-254 are in use`);
}

/** QEMU -netdev user hostfwd options forwarding the ports of `address` to the guest. */
export function hostForwards(address: string): string {
  return FORWARDS.map((f) => `hostfwd=${f.protocol}:${address}:${f.port}-:${f.port}`).join(',');
}
