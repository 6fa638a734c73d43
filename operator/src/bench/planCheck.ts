import type { RunPlan } from './plan.js';

const TYPES = new Set(['dns', 'http', 'cpu', 'memory']);
const KINDS = new Set(['guestDomain', 'native', 'address', 'url']);

/** The plan from the Job's environment, or what is wrong with it (the runner exits 2). Pure. */
export function parsePlan(text: string | undefined): { plan: RunPlan } | { error: string } {
  if (!text) return { error: 'no plan: SERVIRT_BENCH_PLAN is not set' };
  let plan: RunPlan;
  try {
    plan = JSON.parse(text) as RunPlan;
  } catch (error) {
    return { error: `the plan is not JSON: ${(error as Error).message}` };
  }
  if (typeof plan !== 'object' || plan === null) return { error: 'the plan is not an object' };
  if (!plan.benchmark?.namespace || !plan.benchmark.name || !plan.benchmark.uid)
    return { error: 'the plan names no benchmark (namespace, name, uid)' };
  if (!TYPES.has(plan.type)) return { error: `unknown benchmark type ${JSON.stringify(plan.type)}` };
  if (typeof plan.durationSeconds !== 'number' || !(plan.durationSeconds > 0))
    return { error: 'durationSeconds must be more than zero' };
  if (!Array.isArray(plan.targets) || plan.targets.length === 0) return { error: 'the plan has no targets' };
  if (plan.targets.some((t) => typeof t !== 'object' || t === null || typeof t.name !== 'string'))
    return { error: 'every target needs a name' };
  const unknown = plan.targets.find((t) => !KINDS.has(t.kind));
  if (unknown) return { error: `target ${unknown.name} has unknown kind ${JSON.stringify(unknown.kind)}` };
  if (!plan.runId || !plan.inputConfigMap || !plan.resultConfigMap)
    return { error: 'the plan needs runId, inputConfigMap and resultConfigMap' };
  if (plan.type === 'dns' && !plan.dns) return { error: 'a dns plan needs dns settings' };
  return { plan: { ...plan, warmupSeconds: plan.warmupSeconds ?? 0, repeat: plan.repeat ?? 1 } };
}
