// The lint rule that keeps DnsZone, WebSite and Benchmark on status.endpoints (eslint.config.js):
// each way around it is tried and must fail lint; the same code elsewhere passes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const eslint = new ESLint({ cwd: repo });

async function problems(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const attempts = [
  [
    'a provider import',
    "import { parseLibvirtUri } from '../../providers/libvirt/connection.js';\nparseLibvirtUri('');",
  ],
  [
    'a GuestDomain controller import',
    "import { guestNames } from '../guestdomain/plan.js';\nguestNames({} as never);",
  ],
  [
    'spec.network',
    'export const mode = (g: { spec: { network?: { mode: string } } }) => g.spec.network?.mode;',
  ],
  [
    'spec?.network',
    'export const mode = (g?: { spec?: { network?: { mode: string } } }) => g?.spec?.network;',
  ],
  [
    'destructured network',
    'export function f(g: { spec: { network?: object } }) {\n  const { network } = g.spec;\n  return network;\n}',
  ],
  ['hostForwards', 'export const f = (n: { hostForwards?: number[] }) => n.hostForwards?.length;'],
] as const;

describe('the guest access boundary', () => {
  it.each(attempts)('rejects %s in the DnsZone, WebSite and Benchmark controllers', async (_, code) => {
    for (const controller of ['dnszone', 'website', 'benchmark']) {
      const found = await problems(code, `operator/src/controllers/${controller}/attempt.ts`);
      expect(found.filter((p) => /no-restricted-(imports|syntax)/.test(p))).toHaveLength(1);
    }
  });

  it.each(attempts)('allows %s in the GuestDomain controller', async (_, code) => {
    const found = await problems(code, 'operator/src/controllers/guestdomain/attempt.ts');
    expect(found.filter((p) => /no-restricted/.test(p))).toEqual([]);
  });
});
