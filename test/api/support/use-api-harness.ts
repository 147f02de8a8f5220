import { ApiHarness, startApiHarness, WorkspaceKeys } from './api-harness';

export interface UseApiHarnessOptions<H extends ApiHarness> {
  /** How to start the harness (default: `startApiHarness()`, the API over an idle engine). */
  start?: () => Promise<H>;
  /** The beforeAll's timeout, for harnesses that start an engine, Krane or Docker. */
  timeoutMs?: number;
}

/**
 * The set-up most API tests share, registered on the describe block that calls it: a beforeAll that starts a harness
 * and makes the named workspaces (each with one key of every role), and an afterAll that closes the harness.
 *
 * What it returns can be destructured at once and used in every hook and test that runs after that beforeAll
 * (a beforeAll the block registers later included): `h` forwards to the started harness, and each workspace's keys
 * are filled in place. Using `h` earlier throws, naming what was read.
 */
export function useApiHarness<const W extends string, H extends ApiHarness = ApiHarness>(
  workspaces: readonly W[],
  options: UseApiHarnessOptions<H> = {},
): { h: H } & Record<W, WorkspaceKeys> {
  let started: H | undefined;
  const h = new Proxy({} as H, {
    get(_target, property) {
      if (!started) throw new Error(`the API harness was used before its beforeAll ran (reading ${String(property)})`);
      const value: unknown = Reflect.get(started, property);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
  const keys = Object.fromEntries(workspaces.map((slug) => [slug, {} as WorkspaceKeys])) as Record<W, WorkspaceKeys>;
  const start = options.start ?? (() => startApiHarness() as Promise<H>);

  beforeAll(async () => {
    started = await start();
    for (const slug of workspaces) Object.assign(keys[slug], await started.workspace(slug));
  }, options.timeoutMs);
  afterAll(async () => {
    await started?.close();
  });
  return { h, ...keys };
}
