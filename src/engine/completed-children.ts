import type { Job } from 'bullmq';
import type { ChildValues } from './step-start';

/** Parents whose children's values are held at most; beyond, the oldest are forgotten (their jobs read Redis). */
export const COMPLETED_CHILDREN_KEPT = 2_000;

/**
 * What the step jobs this process's workers completed handed their parents, so that a parent that runs here too gets
 * its children's outputs without reading them back from Redis (BullMQ's `getChildrenValues`, one HGETALL per step run,
 * a polling step's every poll included).
 *
 * A value is noted on the worker's `completed` event, which BullMQ emits only once its moveToFinished script wrote the
 * value into the parent's processed children: what is held is what Redis holds. It is kept as the JSON text BullMQ
 * wrote, and parsed anew for each run, as a read from Redis would be. A parent fetched by another process, or one
 * forgotten here (a restart, a lost connection to Redis, more parents than `COMPLETED_CHILDREN_KEPT`), reads Redis
 * as before: this only saves reads.
 * A parent's entry goes when the parent completes.
 */
export class CompletedChildren {
  /** Parent job key → child job key → the child's return value as JSON. Map order: oldest parent first. */
  private readonly byParent = new Map<string, Map<string, string>>();

  constructor(private readonly kept = COMPLETED_CHILDREN_KEPT) {}

  /** A job completed with `result`: noted for its parent; its own entry, as a parent, is no longer needed. */
  completed(job: Job, result: unknown): void {
    this.byParent.delete(jobKey(job));
    const parentKey = job.parentKey;
    if (!parentKey || job.id === undefined) return;
    let children = this.byParent.get(parentKey);
    if (!children) {
      if (this.byParent.size >= this.kept) this.byParent.delete(this.byParent.keys().next().value as string);
      this.byParent.set(parentKey, (children = new Map()));
    }
    children.set(jobKey(job), JSON.stringify(result ?? null));
  }

  /** Whether at least `expected` (≥ 1) of the job's children completed here. */
  holds(job: Job, expected: number): boolean {
    return (this.byParent.get(jobKey(job))?.size ?? 0) >= Math.max(1, expected);
  }

  /** The values of the job's children that completed here, when at least `expected` (≥ 1) did; else undefined. */
  valuesOf(job: Job, expected: number): ChildValues | undefined {
    const children = this.byParent.get(jobKey(job));
    if (!children || children.size < Math.max(1, expected)) return undefined;
    const values: ChildValues = {};
    for (const [child, json] of children) values[child] = JSON.parse(json) as ChildValues[string];
    return values;
  }

  /** Forgets everything held (the connection to Redis was lost: Redis may have lost writes). */
  clear(): void {
    this.byParent.clear();
  }

  /** How many parents are held (for tests). */
  get size(): number {
    return this.byParent.size;
  }
}

/** A job's key, as BullMQ names a child in its parent's processed children: `<prefix>:<queue>:<id>`. */
function jobKey(job: Job): string {
  return `${job.queueQualifiedName}:${job.id}`;
}
