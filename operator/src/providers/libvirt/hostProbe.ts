import { parseHostFacts, type HostFacts } from './hostFacts.js';
import { virshOn, type CredentialSource } from './virsh.js';

export type { HostFacts };

interface CachedProbe {
  at: number;
  facts: Promise<HostFacts>;
}

/**
 * Asks a libvirt host what it is (`virsh version; nodeinfo`). Results are shared per URI and Secret
 * for maxAgeMs, so a thousand VirtualHosts on one hypervisor cost one connection.
 */
export class LibvirtHostProbe {
  private readonly cache = new Map<string, CachedProbe>();

  constructor(private readonly maxAgeMs = 10_000) {}

  /** credentialsId tells apart hosts that share a URI but not a Secret (a wrong key must not borrow a right one's answer). */
  probe(uri: string, credentials?: CredentialSource, credentialsId = ''): Promise<HostFacts> {
    const key = `${uri}#${credentialsId}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.maxAgeMs) return cached.facts;
    const facts = virshOn(uri, credentials, ['version ; nodeinfo']).then(parseHostFacts);
    this.cache.set(key, { at: Date.now(), facts });
    facts.catch(() => this.cache.delete(key));
    return facts;
  }
}
