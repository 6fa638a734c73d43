// The operator as a real child process (node + tsx on operator/src/main.ts), with its JSON log lines parsed.
import { spawn, type ChildProcess } from 'node:child_process';
import { repoPath } from './cluster.js';

export interface OperatorProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  port: number;
  /** Milliseconds since the epoch at which a line with this msg was logged, if it was. */
  loggedAt(msg: string): number | undefined;
  metric(name: string): Promise<number>;
}

export interface OperatorProcessOptions {
  /**
   * A network namespace to run it in (entered with nsenter, this machine's files), such as a LAN
   * of hack/lan/hosts.sh: its HTTP port is then on that namespace's loopback, not this one's.
   */
  netns?: string;
}

export async function startOperatorProcess(
  kubeconfig: string,
  env: Record<string, string> = {},
  options: OperatorProcessOptions = {},
): Promise<OperatorProcess> {
  const node = ['node', '--import', 'tsx', repoPath('operator/src/main.ts')];
  const [file, ...args] = (options.netns ? ['nsenter', `--net=${options.netns}`, ...node] : node) as [
    string,
    ...string[],
  ];
  const child = spawn(file, args, {
    env: {
      ...process.env,
      // Info level at least: the port is learnt from the 'serving' line.
      LOG_LEVEL: 'info',
      KUBECONFIG: kubeconfig,
      SERVIRT_HTTP_HOST: '127.0.0.1',
      SERVIRT_HTTP_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let resolvePort: (port: number) => void = () => {};
  const portKnown = new Promise<number>((resolve, reject) => {
    resolvePort = resolve;
    child.once('exit', (code) => reject(new Error(`operator exited with ${code} before listening`)));
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      const address = entry.address as { port?: number } | undefined;
      if (address?.port) resolvePort(address.port);
    }
  });
  const port = await portKnown;
  return {
    child,
    lines,
    port,
    loggedAt: (msg) => lines.find((line) => line.msg === msg)?.time as number | undefined,
    metric: async (name) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    },
  };
}

export async function httpStatus(port: number, path: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
}

export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  // Fast at first, then no more than every 2 s: a check that runs kubectl every 100 ms for minutes
  // takes half a core from the guests it waits for.
  let pauseMs = 100;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(2_000, Math.round(pauseMs * 1.5));
  }
}
