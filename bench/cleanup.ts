/**
 * Everything the benchmark started, stopped in reverse order exactly once — after a normal run, an error or a
 * signal alike. A stop that fails is reported and the rest still run.
 */
export class Cleanup {
  private readonly stops: { name: string; stop: () => Promise<unknown> | unknown }[] = [];
  private running?: Promise<void>;

  add(name: string, stop: () => Promise<unknown> | unknown): void {
    this.stops.push({ name, stop });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, stop } of this.stops.reverse()) {
        try {
          await stop();
        } catch (err) {
          process.stderr.write(`bench: stopping ${name} failed: ${(err as Error).message}\n`);
        }
      }
    })();
    return this.running;
  }
}
