// What `npm run local` says while it works: each step as it starts, a heartbeat for long ones,
// and a table of step times at the end.
export class Steps {
  private readonly started = Date.now();
  private readonly times: { name: string; seconds: number }[] = [];

  log(line: string): void {
    process.stderr.write(`[local ${this.elapsed()}] ${line}\n`);
  }

  /** Runs work as a step; progress (when given) is logged every 20 s while it runs. */
  async step<T>(name: string, work: () => Promise<T>, progress?: () => Promise<string>): Promise<T> {
    this.log(`${name} …`);
    const begun = Date.now();
    const timer = progress
      ? setInterval(() => {
          progress().then(
            (line) => line && this.log(`  ${name}: ${line}`),
            () => undefined,
          );
        }, 20_000)
      : undefined;
    try {
      return await work();
    } finally {
      if (timer) clearInterval(timer);
      const seconds = (Date.now() - begun) / 1000;
      this.times.push({ name, seconds });
      this.log(`${name}: ${seconds.toFixed(1)} s`);
    }
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(0)} s`;
  }

  table(): string {
    const width = Math.max(...this.times.map((t) => t.name.length), 4);
    const rows = this.times.map((t) => `${t.name.padEnd(width)}  ${t.seconds.toFixed(1).padStart(7)} s`);
    const total = (Date.now() - this.started) / 1000;
    return [
      `${'step'.padEnd(width)}  ${'time'.padStart(9)}`,
      ...rows,
      `${'total'.padEnd(width)}  ${total.toFixed(1).padStart(7)} s`,
    ].join('\n');
  }
}
