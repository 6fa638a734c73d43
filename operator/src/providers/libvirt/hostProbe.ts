import { parseHostFacts, type HostFacts } from './hostFacts.js';
import { virsh } from './virsh.js';

export type { HostFacts };

interface CachedProbe {
  at: number;
  facts: Promise<HostFacts>;
}

/**
 * Asks a libvirt host what it is (`virsh version; nodeinfo`). Results are shared per URI
 * for maxAgeMs, so a thousand VirtualHosts on one hypervisor cost one connection.
 */
export class LibvirtHostProbe {
  private readonly cache = new Map<string, CachedProbe>();

  constructor(private readonly maxAgeMs = 10_000) {}

  probe(uri: string): Promise<HostFacts> {
    const cached = this.cache.get(uri);
    if (cached && Date.now() - cached.at < this.maxAgeMs) return cached.facts;
    const facts = virsh(uri, ['version ; nodeinfo']).then(parseHostFacts);
    this.cache.set(uri, { at: Date.now(), facts });
    facts.catch(() => this.cache.delete(uri));
    return facts;
  }
}
