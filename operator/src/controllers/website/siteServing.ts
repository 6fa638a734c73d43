import { createHash } from 'node:crypto';
import type { GuestChannel, GuestEndpoint } from '../../guest/channel.js';
import { ApacheControl } from '../../guest/apache/control.js';
import type { ApacheLayout } from '../../guest/apache/layout.js';
import type { SiteConfig } from '../../guest/apache/model.js';
import type { SiteFiles } from './content.js';
import type { WebGuest } from './endpoints.js';

export interface GuestAccess {
  guest: WebGuest;
  /** Read only when the guest is logged in to. */
  credentials(): Promise<{ clientPrivateKey: string; hostPublicKey: string }>;
}

const RECHECK_MS = 5 * 60_000;

/**
 * The operator's hands on Apache in the guests. Remembers what it deployed where, so that a
 * reconcile of a site that is already right opens no SSH session; every few minutes it looks again.
 */
export class SiteServing {
  private readonly deployed = new Map<string, { hash: string; at: number }>();

  constructor(
    private readonly layoutOf: (guest: WebGuest) => ApacheLayout,
    private readonly connect: (endpoint: GuestEndpoint) => Promise<GuestChannel>,
  ) {}

  /** Puts the site on the guest unless it is there as given; true when Apache was reloaded. */
  async ensureSite(access: GuestAccess, site: SiteConfig, files: SiteFiles): Promise<boolean> {
    const hash = createHash('sha256').update(JSON.stringify(site)).digest('hex');
    const key = `${access.guest.id} ${site.name}`;
    const known = this.deployed.get(key);
    if (known?.hash === hash && Date.now() - known.at < RECHECK_MS) return false;
    const outcome = await this.withControl(access, (control) => control.deploySite(site, files));
    this.deployed.set(key, { hash, at: Date.now() });
    return outcome !== 'unchanged';
  }

  async removeSite(access: GuestAccess, siteName: string): Promise<void> {
    await this.withControl(access, (control) => control.removeSite(siteName));
    this.deployed.delete(`${access.guest.id} ${siteName}`);
  }

  private async withControl<T>(access: GuestAccess, use: (control: ApacheControl) => Promise<T>): Promise<T> {
    const { clientPrivateKey, hostPublicKey } = await access.credentials();
    const channel = await this.connect({
      ...access.guest.ssh,
      username: 'root',
      privateKey: clientPrivateKey,
      hostPublicKey,
    });
    try {
      return await use(new ApacheControl(channel, this.layoutOf(access.guest)));
    } catch (error) {
      for (const key of this.deployed.keys())
        if (key.startsWith(`${access.guest.id} `)) this.deployed.delete(key);
      throw error;
    } finally {
      channel.close();
    }
  }
}
