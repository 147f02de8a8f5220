import { performance } from 'node:perf_hooks';

/**
 * Runs `total` tasks with `lanes` of them in flight at once (lane i always gets lane index i, so a lane can keep
 * to its own project) and returns each task's result and the wall time of the whole batch.
 */
export async function runInLanes<T>(total: number, lanes: number, task: (index: number, lane: number) => Promise<T>): Promise<{ results: T[]; wallMs: number }> {
  const results: T[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(lanes, total) }, async (_, lane) => {
      while (next < total) {
        const index = next++;
        results[index] = await task(index, lane);
      }
    }),
  );
  return { results, wallMs: performance.now() - started };
}
