import type { Db } from '../db/prisma';
import type { DeploymentStatus } from '../generated/prisma/client';
import { TERMINAL_STATUSES } from '../statuses';

/**
 * A deployment's event log (table DeploymentEvent): its in-flight status changes and every change of its step rows,
 * numbered 1, 2, 3 … per deployment. Database triggers write it in the writer's own transaction (see the migration
 * `deployment_event_log`), taking the deployment row's lock to number it, so events commit in the order of their
 * numbers: whoever has read event N can never later find an event below N. That is what makes an event's number a
 * stable SSE `id:` and `Last-Event-ID` a complete resume point.
 */
export interface LoggedEvent {
  seq: number;
  /** `release`: a rolling release of which this deployment is the canary changed stage or ended (src/releases/). */
  type: 'step' | 'status' | 'release';
  data: Record<string, unknown>;
}

/** What a `status` event carries. */
export interface StatusEventData {
  status: DeploymentStatus | null;
  statusReason: string | null;
  failedStep: string | null;
  /** The last event of the stream: the deploy has settled (or the deployment is gone). */
  terminal: boolean;
}

/** The deployment row as the stream needs it: its status, and the number of its last event. */
export interface DeploymentHead {
  status: DeploymentStatus;
  statusReason: string | null;
  failedStep: string | null;
  eventSeq: number;
}

/** Events read at once; a stream that resumes far back reads its history in pages of this size. */
export const EVENT_PAGE = 500;

const STEP_FIELDS = ['name', 'position', 'status', 'attempts', 'startedAt', 'endedAt', 'error', 'output'];
const STATUS_FIELDS = ['status', 'statusReason', 'failedStep', 'terminal'];
const RELEASE_FIELDS = ['releaseId', 'state', 'stage', 'stages', 'weight', 'reason'];
const FIELDS: Record<LoggedEvent['type'], string[]> = { step: STEP_FIELDS, status: STATUS_FIELDS, release: RELEASE_FIELDS };

/**
 * The event's data with its fields in the order the API documents them (a step as GET /v1/deployments/{id} shows it):
 * PostgreSQL's jsonb keeps its own key order.
 */
export function eventData(event: LoggedEvent): Record<string, unknown> {
  const keys = FIELDS[event.type] ?? STATUS_FIELDS;
  return Object.fromEntries(keys.filter((k) => k in event.data).map((k) => [k, event.data[k]]));
}

export async function readEventsAfter(prisma: Db, deploymentId: string, after: number, limit = EVENT_PAGE): Promise<LoggedEvent[]> {
  const rows = await prisma.deploymentEvent.findMany({
    where: { deploymentId, seq: { gt: after } },
    orderBy: { seq: 'asc' },
    take: limit,
    select: { seq: true, type: true, data: true },
  });
  return rows as LoggedEvent[];
}

export async function readEvent(prisma: Db, deploymentId: string, seq: number): Promise<LoggedEvent | null> {
  const row = await prisma.deploymentEvent.findUnique({ where: { deploymentId_seq: { deploymentId, seq } }, select: { seq: true, type: true, data: true } });
  return row as LoggedEvent | null;
}

export async function readDeploymentHead(prisma: Db, deploymentId: string): Promise<DeploymentHead | null> {
  return prisma.deployment.findUnique({ where: { id: deploymentId }, select: { status: true, statusReason: true, failedStep: true, eventSeq: true } });
}

/** Whether the event is a terminal status that still says what the deployment is now (nothing moved it since). */
export function isCurrentTerminal(event: LoggedEvent | null | undefined, head: DeploymentHead): boolean {
  if (!event || event.type !== 'status' || event.data.terminal !== true) return false;
  return event.data.status === head.status && event.data.statusReason === head.statusReason && event.data.failedStep === head.failedStep;
}

/**
 * Appends the terminal status event, once the deploy has settled: only if the log still ends at `expectedSeq` (no
 * event came in meanwhile, and no other stream appended it first) and the status is terminal. Returns whether it was
 * appended; either way the caller reads the log again and finds the one terminal event, with the same number for
 * every stream. Terminal statuses are logged here rather than by the trigger because the last steps (update-live
 * after set-ready, compensation after a failure) still run after the status turned terminal, and the terminal event
 * must come after them.
 */
export async function appendTerminalStatus(prisma: Db, deploymentId: string, expectedSeq: number): Promise<boolean> {
  const terminal: string[] = TERMINAL_STATUSES;
  const appended = await prisma.$executeRaw`
    WITH bumped AS (
      UPDATE "Deployment" SET "eventSeq" = "eventSeq" + 1
      WHERE "id" = ${deploymentId} AND "eventSeq" = ${expectedSeq} AND "status"::text = ANY(${terminal}::text[])
      RETURNING "id", "eventSeq", "status", "statusReason", "failedStep")
    INSERT INTO "DeploymentEvent" ("deploymentId", "seq", "type", "data")
    SELECT "id", "eventSeq", 'status',
           jsonb_build_object('status', "status", 'statusReason', "statusReason", 'failedStep', "failedStep", 'terminal', true)
    FROM bumped`;
  return appended === 1;
}
