// `servirt guest console NAME`: prints the end of a GuestDomain's serial console log. virtlogd
// writes it on the libvirt host into the storage pool (`<domain>.console.log`); it is read over
// the VirtualHost's own connection (its SSH or TLS Secret, as the controller reads them), so it
// works for remote hosts too.
import { parseArgs } from 'node:util';
import {
  GuestDomainResource,
  VirtualHostResource,
  type GuestDomain,
  type VirtualHost,
} from '../api/types.generated.js';
import { guestNames } from '../controllers/guestdomain/plan.js';
import { credentialsFor } from '../controllers/virtualhost/credentials.js';
import { isNotFound, KubeClient } from '../kube/client.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';
import { resourcePath } from '../kube/resourcePath.js';
import { lastLines } from '../providers/libvirt/consoleLog.js';
import { CONSOLE_TAIL_BYTES, LibvirtGuests, MAX_CONSOLE_TAIL_BYTES } from '../providers/libvirt/guests.js';
import type { CredentialSource } from '../providers/libvirt/virsh.js';

export const GUEST_CONSOLE_USAGE = `usage: servirt guest console NAME [-n NAMESPACE] [--tail LINES|SIZE]
  Prints the end of the GuestDomain's serial console log from its libvirt host: the last 200
  lines, or --tail N lines, or --tail SIZE bytes (e.g. 64KiB, 1MiB; at most 4MiB).`;

export const DEFAULT_TAIL_LINES = 200;
const MAX_TAIL_LINES = 100_000;
/** Bytes read per line asked for: console lines are short, a boot's kernel lines under 200 bytes. */
const BYTES_PER_LINE = 512;

/** How much of the log to print. */
export type ConsoleTail = { lines: number } | { bytes: number };

export interface GuestConsoleArgs {
  name: string;
  /** Undefined: the kubeconfig context's namespace. */
  namespace?: string;
  tail: ConsoleTail;
}

const UNITS: Record<string, number> = { b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2 };

/** `--tail`: N lines, or a size with a unit (B, K/KiB, M/MiB). */
export function parseTail(value: string): ConsoleTail | { error: string } {
  const match = /^([0-9]+)\s*([a-z]*)$/i.exec(value.trim());
  const count = Number(match?.[1]);
  const unit = match?.[2]?.toLowerCase() ?? '';
  if (!match || !Number.isSafeInteger(count) || count < 1 || (unit !== '' && !(unit in UNITS))) {
    return { error: `--tail ${value}: give a number of lines (e.g. 200) or a size (e.g. 64KiB)` };
  }
  if (unit === '') {
    return count > MAX_TAIL_LINES
      ? { error: `--tail ${value}: at most ${MAX_TAIL_LINES} lines` }
      : { lines: count };
  }
  const bytes = count * (UNITS[unit] ?? 1);
  return bytes > MAX_CONSOLE_TAIL_BYTES
    ? { error: `--tail ${value}: at most ${MAX_CONSOLE_TAIL_BYTES / 1024 ** 2}MiB` }
    : { bytes };
}

/** The arguments after `guest console`. */
export function parseGuestConsoleArgs(args: string[]): GuestConsoleArgs | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { namespace: { type: 'string', short: 'n' }, tail: { type: 'string' } },
    });
  } catch (error) {
    return { error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return { error: 'give the name of one GuestDomain' };
  const name = positionals[0] ?? '';
  const tail = values.tail === undefined ? { lines: DEFAULT_TAIL_LINES } : parseTail(values.tail);
  if ('error' in tail) return tail;
  if (values.namespace === '') return { error: '-n: the namespace is empty' };
  return { name, ...(values.namespace !== undefined && { namespace: values.namespace }), tail };
}

/** How many bytes to read for a tail. */
export function tailBytes(tail: ConsoleTail): number {
  if ('bytes' in tail) return tail.bytes;
  return Math.min(MAX_CONSOLE_TAIL_BYTES, Math.max(CONSOLE_TAIL_BYTES, tail.lines * BYTES_PER_LINE));
}

/** What the command needs of a libvirt host (LibvirtGuests). */
export type ConsoleSource = Pick<LibvirtGuests, 'lookup' | 'consoleLog'>;

export interface GuestConsoleDeps {
  /** The API client and the namespace of the kubeconfig's context. */
  connect(): Promise<{ client: KubeClient; namespace: string }>;
  hypervisor(uri: string, pool: string, credentials: CredentialSource | undefined): ConsoleSource;
}

interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

const defaultDeps: GuestConsoleDeps = {
  connect: async () => {
    const config = loadKubeConfig();
    const namespace = config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
    return { client: await KubeClient.create(config), namespace };
  },
  hypervisor: (uri, pool, credentials) => new LibvirtGuests(uri, pool, credentials),
};

/** A failure with a message for the user. */
class ConsoleError extends Error {}

/** Runs `servirt guest console` with the arguments after `console`; returns the exit code. */
export async function guestConsoleCommand(
  args: string[],
  output: Output,
  deps: GuestConsoleDeps = defaultDeps,
): Promise<number> {
  const parsed = parseGuestConsoleArgs(args);
  if ('error' in parsed) {
    output.stderr(`servirt guest console: ${parsed.error}\n${GUEST_CONSOLE_USAGE}\n`);
    return 2;
  }
  let client: KubeClient | undefined;
  try {
    const connected = await deps.connect();
    client = connected.client;
    const text = await readConsole(client, parsed, parsed.namespace ?? connected.namespace, deps);
    output.stdout(text.endsWith('\n') ? text : `${text}\n`);
    return 0;
  } catch (error) {
    output.stderr(`servirt guest console: ${(error as Error).message}\n`);
    return 1;
  } finally {
    client?.close();
  }
}

async function readConsole(
  client: KubeClient,
  args: GuestConsoleArgs,
  namespace: string,
  deps: GuestConsoleDeps,
): Promise<string> {
  const guest = await get<GuestDomain>(
    client,
    resourcePath(GuestDomainResource, { namespace, name: args.name }),
    `GuestDomain ${namespace}/${args.name} not found`,
  );
  const hostName = guest.spec.virtualHostRef.name;
  const host = await get<VirtualHost>(
    client,
    resourcePath(VirtualHostResource, { namespace, name: hostName }),
    `VirtualHost ${namespace}/${hostName} of GuestDomain ${args.name} not found`,
  );
  const libvirt = host.spec.libvirt;
  if (host.spec.provider !== 'libvirt' || !libvirt) {
    throw new ConsoleError(
      `VirtualHost ${hostName} is not a libvirt host (provider ${host.spec.provider}): ` +
        'a KubeVirt guest has its console through virtctl console',
    );
  }
  const names = guestNames(guest);
  const hypervisor = deps.hypervisor(
    libvirt.uri,
    libvirt.storagePool ?? 'default',
    credentialsFor(client, host),
  );
  const domain = await hypervisor.lookup(names.domain);
  if (!domain) throw new ConsoleError(`domain ${names.domain} is not defined on VirtualHost ${hostName}`);
  if (!domain.consoleLog) {
    throw new ConsoleError(
      `domain ${names.domain} does not log its serial console: a Xen guest, a pool that is not a ` +
        'directory, or a domain defined before servirt logged consoles (recreate the GuestDomain)',
    );
  }
  const text = await hypervisor.consoleLog(names.domain, { tailBytes: tailBytes(args.tail) });
  if (text === '') {
    throw new ConsoleError(
      `no console log yet: ${domain.consoleLog.path} on VirtualHost ${hostName} is missing or empty ` +
        '(virtlogd writes it once the domain runs)',
    );
  }
  return 'lines' in args.tail ? lastLines(text, args.tail.lines) : text;
}

async function get<T>(client: KubeClient, path: string, notFound: string): Promise<T> {
  try {
    return await client.request<T>({ method: 'GET', path });
  } catch (error) {
    if (isNotFound(error)) throw new ConsoleError(notFound);
    throw error;
  }
}
