/** A condition in the shape of metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * Returns conditions with update applied: lastTransitionTime moves only when the status
 * flips; reason, message and observedGeneration follow the update. Order is kept.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((condition) => condition.type === update.type);
  const previous = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    previous && previous.status === update.status ? previous.lastTransitionTime : now;
  const next: Condition = { ...update, lastTransitionTime };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function setConditions(
  conditions: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  now: string,
): Condition[] {
  return updates.reduce<Condition[]>(
    (list, update) => setCondition(list, update, now),
    [...(conditions ?? [])],
  );
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}
