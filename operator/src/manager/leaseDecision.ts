export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaseSituation {
  identity: string;
  current?: LeaseRecord;
  /** When this replica last saw the record change (its own clock: holders' clocks may differ). */
  observedAt: number;
  now: number;
  leaseDurationSeconds: number;
}

export type LeaseDecision = { action: 'wait' } | { action: 'acquire' | 'renew'; record: LeaseRecord };

/** Whether to take, renew, or leave the lease alone. Pure: the clock and the record come in. */
export function decideLease(situation: LeaseSituation): LeaseDecision {
  const { identity, current, observedAt, now, leaseDurationSeconds } = situation;
  const nowIso = microTime(now);
  const fresh: LeaseRecord = {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: nowIso,
    renewTime: nowIso,
    leaseTransitions: current?.leaseTransitions ?? 0,
  };
  if (!current) return { action: 'acquire', record: fresh };
  if (current.holderIdentity === identity) {
    return { action: 'renew', record: { ...current, leaseDurationSeconds, renewTime: nowIso } };
  }
  const heldFor = (current.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  const vacant = !current.holderIdentity || now - observedAt > heldFor;
  if (!vacant) return { action: 'wait' };
  return { action: 'acquire', record: { ...fresh, leaseTransitions: (current.leaseTransitions ?? 0) + 1 } };
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
