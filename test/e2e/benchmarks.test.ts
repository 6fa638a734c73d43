// Every `npm run bench:<name>` once, in its short mode, as the README's rule asks: each must run
// to the end on a clean machine and print one JSON line last with the fields it promises. The
// numbers are printed, not judged: a timed assertion on this shared 2-core machine would only be
// noise (the targets are checked by running the benchmarks in full, by hand, see docs/development.md).
import { spawn } from 'node:child_process';
import { jest } from '@jest/globals';
import path from 'node:path';
import { repoDir } from '../../hack/cluster/tools.js';

jest.setTimeout(1_200_000);

interface ShortRun {
  script: string;
  args: string[];
  fields: string[];
  minutes: number;
}

const SHORT_RUNS: Record<string, ShortRun> = {
  'bind-config': {
    script: 'bindConfig.ts',
    args: ['--rounds', '1', '--seconds', '2'],
    fields: ['generatedQps', 'baselineQps', 'ratio', 'rounds'],
    minutes: 3,
  },
  'web-config': {
    script: 'webConfig.ts',
    args: ['--rounds', '1', '--seconds', '2'],
    fields: ['generatedRps', 'baselineRps', 'ratio', 'rounds'],
    minutes: 3,
  },
  'dns-propagation': {
    script: 'dnsPropagation.ts',
    args: ['--changes', '5'],
    fields: ['changes', 'p50Ms', 'p99Ms'],
    minutes: 5,
  },
  operator: {
    script: 'operator.ts',
    args: ['--objects', '50'],
    fields: ['objects', 'secondsToAllReconciled', 'reconcilesPerSecond'],
    minutes: 5,
  },
  'guest-restart': {
    script: 'guestRestart.ts',
    args: ['--kills', '1'],
    fields: ['kills', 'detectP50Ms', 'detectMaxMs', 'runningAgainP50S'],
    minutes: 10,
  },
  'guest-boot': {
    script: 'guestBoot.ts',
    args: [],
    fields: ['rawReadySeconds', 'operatorReadySeconds', 'ratio'],
    minutes: 15,
  },
  harness: {
    script: 'harness.ts',
    args: ['--rounds', '1', '--seconds', '2'],
    fields: ['podQps', 'hostQps', 'ratio', 'nodeQps', 'hostNetworkPodQps', 'nodeRatio'],
    minutes: 20,
  },
};

/** Runs a benchmark as `npm run bench:<name>` would; resolves with what it printed. */
function runBenchmark(run: ShortRun): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(repoDir, 'node_modules/.bin/tsx'),
      [path.join(repoDir, 'test/bench', run.script), ...run.args],
      { cwd: repoDir, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGINT'), run.minutes * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('every benchmark, once in its short mode', () => {
  it.each(Object.keys(SHORT_RUNS))(
    'bench:%s runs to the end and prints its JSON line last',
    async (name) => {
      const run = SHORT_RUNS[name] as ShortRun;
      const { code, stdout, stderr } = await runBenchmark(run);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      console.log(`bench:${name}: ${last}`);
      if (code !== 0) throw new Error(`bench:${name} exited with ${code}:\n${stderr}`);
      const printed = JSON.parse(last) as Record<string, unknown>;
      expect(Object.keys(printed)).toEqual(expect.arrayContaining(run.fields));
      for (const field of run.fields) expect(printed[field]).not.toBeNull();
    },
    21 * 60_000,
  );
});
