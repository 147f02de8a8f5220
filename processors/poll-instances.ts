import { z } from 'zod';
import { getFromInstance } from '../src/deployments/instance-http';
import { syncInstances } from '../src/deployments/sync-instances';
import { isRetryable, logFieldsOf, publicMessageOf, TerminalError } from '../src/errors';
import type { KraneInstance } from '../src/krane/types';
import { fetchMetadata, type DeployMetadata } from './fetch-metadata';
import { deployStep, type Services } from './services';

export interface PollResult {
  running: number;
  replicas: number;
  addresses: string[];
  polls: number;
}

/**
 * Polls start fast and slow down to the configured interval (100, 200, 400, 800 ms, then POLL_INTERVAL_MS): an app
 * that is up in a few hundred milliseconds is noticed then, not a whole interval later.
 */
export function pollDelay(polls: number, intervalMs: number): number {
  return Math.min(intervalMs, 100 * 2 ** Math.min(polls - 1, 10));
}

const HEALTH_ANSWER_MAX_BYTES = 64 * 1024;

/** Why an instance is not healthy (its answer, or why there was none); undefined when it answered 2xx. */
export async function healthProblem(address: string, path: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await getFromInstance(address, path, { timeoutMs, maxBytes: HEALTH_ANSWER_MAX_BYTES });
    return res.status >= 200 && res.status < 300 ? undefined : `${path} answered ${res.status}`;
  } catch (err) {
    // Also what an app that answers 2xx but too slowly, or with a body past the cap, is told.
    return `${path}: ${(err as Error).message}`;
  }
}

/**
 * Asks Krane for the instances, records them, and is done when at least `replicas` (≥ 1) run and each answers its
 * health check. Otherwise it re-enqueues itself delayed — a poll never holds a worker — until the deadline.
 */
// Its own counters, kept in the job: BullMQ's attemptsMade stays 0 while a job delays itself.
// What it polls for (the deployment's replicas and health check path, fixed once the deployment is created) comes from
// fetch-metadata's output, and is kept there too (a job whose fetch-metadata predates those fields reads it once).
const PollState = z.object({
  polls: z.number().int().min(0).optional(),
  pollStartedAt: z.number().optional(),
  replicas: z.number().int().min(0).optional(),
  healthCheckPath: z.string().optional(),
  /** The instances as this step last recorded them (instancesRecord), and when: a poll that sees the same writes nothing. */
  recorded: z.string().optional(),
  recordedAt: z.number().optional(),
  /** What the step row's progress line last showed (progressShown): a poll that would show the same writes nothing. */
  shown: z.string().optional(),
});

/**
 * How often the Instance rows are written again when nothing about them changed, so their `lastSeenAt` stays within
 * this of the last poll that saw them; a poll in between that sees the same instances writes nothing.
 */
export const INSTANCES_REFRESH_MS = 30_000;
/** A poll that sees nothing new still adds a line to the job's log every this many polls (the dashboard shows it is alive). */
export const UNCHANGED_POLL_LOG_EVERY = 10;

/** What is recorded of Krane's answer, in a stable order: two answers that record the same rows give the same string. */
export function instancesRecord(instances: KraneInstance[]): string {
  return JSON.stringify(instances.map((i) => [i.id, i.address, i.status]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** The deployment's replicas and health check path: from the poll's state, from fetch-metadata's output, or read once. */
async function pollTarget(
  prisma: Services['prisma'],
  deploymentId: string,
  state: z.infer<typeof PollState>,
  meta: Partial<DeployMetadata>,
): Promise<{ replicas: number; healthCheckPath: string }> {
  if (state.replicas !== undefined && state.healthCheckPath !== undefined) return { replicas: state.replicas, healthCheckPath: state.healthCheckPath };
  if (meta.replicas !== undefined && meta.healthCheckPath !== undefined) return { replicas: meta.replicas, healthCheckPath: meta.healthCheckPath };
  return prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId }, select: { replicas: true, healthCheckPath: true } });
}

/** Whether a poll writes the Instance rows: when Krane's answer differs from what was recorded, or the record is old. */
export function mustRecordInstances(record: string, state: { recorded?: string; recordedAt?: number }, now: number): boolean {
  return record !== state.recorded || state.recordedAt === undefined || now - state.recordedAt >= INSTANCES_REFRESH_MS;
}

/** The step row's progress line while waiting (what decides whether a poll has anything new to show). */
export function progressShown(running: number, wanted: number, healthy: number, kraneError: string | undefined): string {
  return `${running}/${wanted} running, ${healthy} healthy${kraneError ? ` (krane: ${kraneError})` : ''}`;
}

export const pollInstances = deployStep({
  name: 'poll-instances',
  cancellable: true,
  needs: { meta: fetchMetadata },
  state: PollState,
  async run(step): Promise<PollResult> {
    const { services, data, state } = step;
    const startedAt = state.pollStartedAt ?? Date.now();
    const polls = (state.polls ?? 0) + 1;
    const d = await pollTarget(services.prisma, data.deploymentId, state, step.needs.meta);
    let instances: KraneInstance[];
    let kraneError: string | undefined;
    let recorded = { recorded: state.recorded, recordedAt: state.recordedAt };
    try {
      instances = await services.krane.get(step.needs.meta.namespace, data.deploymentId);
      // Most polls of a deploy that waits see what the previous one saw: those write nothing (the rows already say it),
      // but for a refresh of lastSeenAt now and then. The record is kept in the job's state with the delay, after the
      // write: a run that crashed in between finds the older record and writes again (the write is idempotent).
      const record = instancesRecord(instances);
      const now = Date.now();
      if (mustRecordInstances(record, state, now)) {
        await syncInstances(services, data.deploymentId, instances);
        recorded = { recorded: record, recordedAt: now };
      }
    } catch (err) {
      // A Krane that is briefly unreachable is a poll that saw nothing: keep polling until the deadline decides.
      if (!isRetryable(err)) throw err;
      instances = [];
      // The progress line is the tenant's to read: the public message there, Krane's own words in the log.
      kraneError = publicMessageOf(err);
      step.logger.warn('krane did not answer this poll; it counts as a poll that saw nothing', logFieldsOf(err));
    }
    const running = instances.filter((i) => i.status === 'running');
    const problems = await Promise.all(running.map((i) => healthProblem(i.address, d.healthCheckPath, Math.min(2000, services.settings.instanceHttpTimeoutMs))));
    const healthyAddresses = running.filter((_, n) => problems[n] === undefined).map((i) => i.address);
    const wanted = Math.max(1, d.replicas);
    // The dashboard's Progress tab: how many of the wanted instances are ready (running and healthy) so far.
    const figures = { ready: Math.min(healthyAddresses.length, wanted), total: wanted, running: running.length, polls, percent: Math.round((100 * Math.min(healthyAddresses.length, wanted)) / wanted) };
    if (healthyAddresses.length >= wanted) {
      step.reportProgress(figures);
      step.log(`poll ${polls}: ${healthyAddresses.length}/${wanted} instance(s) healthy (${healthyAddresses.join(', ')}): ready`);
      return { running: healthyAddresses.length, replicas: wanted, addresses: healthyAddresses, polls };
    }

    // An instance that ended by itself does not come back (no driver restarts it): waiting for the deadline would
    // only hide why. Its exit code and the tail of its output become the step's reason.
    const ended = instances.find((i) => i.failure);
    if (ended?.failure) {
      step.log(`poll ${polls}: instance ${ended.id} exited by itself: not waiting for the deadline`);
      throw new TerminalError('instance_exited', { running: running.length, wanted, instanceId: ended.id, failure: ended.failure });
    }

    const elapsed = Date.now() - startedAt;
    if (elapsed >= services.settings.pollDeadlineMs) {
      throw new TerminalError('instances_not_ready', {
        running: running.length,
        wanted,
        healthy: healthyAddresses.length,
        elapsedMs: elapsed,
        deadlineMs: services.settings.pollDeadlineMs,
        // A running instance that never passed its check says why in the step's reason, not only that it did not.
        healthProblem: problems.find((p) => p !== undefined),
      });
    }
    const next = pollDelay(polls, services.settings.pollIntervalMs);
    // The step row (and its announcement to event streams), the job's progress and its log change only when what they
    // show changed: a thousand deploys waiting on instances would otherwise write a row, announce it and push a line
    // each, every poll, for nothing anyone could see change.
    const shown = progressShown(running.length, wanted, healthyAddresses.length, kraneError);
    const schedule = `next poll in ${next} ms; ${Math.round(elapsed / 1000)} s of the ${Math.round(services.settings.pollDeadlineMs / 1000)} s deadline used`;
    if (shown !== state.shown) {
      await step.progress(`poll ${polls}: ${shown}`, figures);
      step.log(schedule);
    } else if (polls % UNCHANGED_POLL_LOG_EVERY === 0) {
      step.log(`poll ${polls}: no change (${shown}); ${schedule}`);
    }
    return step.delay(next, { polls, pollStartedAt: startedAt, replicas: d.replicas, healthCheckPath: d.healthCheckPath, ...recorded, shown });
  },
  summarize: (o) => `${o.running}/${o.replicas} instance(s) healthy after ${o.polls} poll(s)`,
});
