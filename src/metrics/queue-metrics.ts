import type { JobType, Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/** The job states whose counts are reported (BullMQ's `getJobCounts` names). */
const STATES: JobType[] = ['waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed', 'completed'];

/** A scrape must answer even when Redis does not: past this, the queue depths are left out of that scrape. */
const READ_TIMEOUT_MS = 2_000;

/**
 * Queue depth by queue and state, read from BullMQ (`getJobCounts`: one round trip per queue) when Prometheus scrapes,
 * never in a loop of ours. A read that fails or takes too long leaves the gauge empty for that scrape rather than
 * showing stale counts as current.
 */
export class QueueMetrics {
  private queues: readonly Queue[] = [];

  constructor(registry: Registry) {
    // prom-client calls collect() with the gauge as `this`; the queues to read are this object's.
    const watched = () => this.queues;
    new Gauge({
      name: 'deployflow_queue_jobs',
      help: 'Jobs in each BullMQ queue by state, read when scraped.',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        const queues = watched();
        const counts = await Promise.all(queues.map((queue) => readCounts(queue)));
        queues.forEach((queue, i) => {
          const read = counts[i];
          if (!read) return;
          for (const state of STATES) this.set({ queue: queue.name, state }, read[state] ?? 0);
        });
      },
    });
  }

  /** The queues to report (this process's producer queues); replaces any given before. */
  watch(queues: readonly Queue[]): void {
    this.queues = queues;
  }
}

async function readCounts(queue: Queue): Promise<Record<string, number> | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([queue.getJobCounts(...STATES), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
