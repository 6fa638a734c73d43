import type { TsigKeyConfig } from '../../guest/bind/model.js';

/** Key material read from Secrets, kept for a minute: a zone's reconcile needs the keys of its neighbours too. */
export class KeyCache {
  private readonly entries = new Map<string, { key: TsigKeyConfig | undefined; at: number }>();

  constructor(private readonly ttlMs = 60_000) {}

  async get(id: string, read: () => Promise<TsigKeyConfig | undefined>): Promise<TsigKeyConfig | undefined> {
    const entry = this.entries.get(id);
    if (entry && Date.now() - entry.at < this.ttlMs) return entry.key;
    const key = await read();
    this.entries.set(id, { key, at: Date.now() });
    return key;
  }

  set(id: string, key: TsigKeyConfig): void {
    this.entries.set(id, { key, at: Date.now() });
  }
}
