// A running domain's addresses as libvirt reports them (`virsh domifaddr`): from the DHCP leases
// of its libvirt network (`lease`) or from the QEMU guest agent inside it (`agent`).

export type AddressSource = 'lease' | 'agent';

export interface InterfaceAddress {
  interface: string;
  mac: string;
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/**
 * The addresses in `virsh domifaddr` output that others can reach: not loopback, not link-local.
 * Lines of an interface with several addresses leave its name and MAC empty (`-`). Pure.
 */
export function parseDomifaddr(output: string): InterfaceAddress[] {
  const found: InterfaceAddress[] = [];
  let current = { interface: '', mac: '' };
  for (const line of output.split('\n')) {
    const match = /^\s*(\S+)\s+(\S+)\s+(ipv4|ipv6)\s+([0-9a-fA-F.:]+)\/(\d+)\s*$/.exec(line);
    if (!match) continue;
    const [, name = '', mac = '', family, address = '', prefix = '0'] = match;
    if (name !== '-') current = { interface: name, mac: mac === '-' ? current.mac : mac };
    if (current.interface === 'lo' || isLoopbackOrLinkLocal(address)) continue;
    found.push({ ...current, family: family as 'ipv4' | 'ipv6', address, prefix: Number(prefix) });
  }
  return found;
}

function isLoopbackOrLinkLocal(address: string): boolean {
  return (
    /^127\./.test(address) || address === '::1' || /^169\.254\./.test(address) || /^fe[89ab]/i.test(address)
  );
}
