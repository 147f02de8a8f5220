import { run, sqlOf, type SqlHolder } from '../db/sql';
import { Prisma } from '../generated/prisma/client';
import type { KraneInstance } from '../krane/types';

const STATUS = { pending: 'pending', running: 'running', terminating: 'stopping' } as const;

/**
 * Makes the Instance rows of a deployment match what Krane reports now; instances Krane no longer lists are stopped.
 *
 * One statement, so one round trip on every poll and switch (it was a transaction of one upsert per instance and an
 * update: four round trips or more), and atomic as the transaction was. The upserts are a data-modifying CTE; the
 * update excludes exactly the reported ids, so the two never touch the same row. Sent on the database's direct path
 * when it has one (src/db/sql.ts).
 */
export async function syncInstances(db: SqlHolder, deploymentId: string, instances: KraneInstance[]): Promise<void> {
  const now = new Date();
  const ids = instances.map((i) => i.id);
  const addresses = instances.map((i) => i.address);
  const statuses = instances.map((i) => STATUS[i.status]);
  await run(
    sqlOf(db),
    Prisma.sql`
    WITH reported AS (
      SELECT * FROM unnest(${ids}::text[], ${addresses}::text[], ${statuses}::text[]) AS r("id", "address", "status")
    ), upserted AS (
      INSERT INTO "Instance" ("id", "deploymentId", "address", "status", "lastSeenAt")
      SELECT r."id", ${deploymentId}, r."address", r."status"::"InstanceStatus", ${now} FROM reported r
      ON CONFLICT ("id") DO UPDATE SET "address" = EXCLUDED."address", "status" = EXCLUDED."status", "lastSeenAt" = EXCLUDED."lastSeenAt"
      RETURNING 1
    )
    UPDATE "Instance" SET "status" = 'stopped'
     WHERE "deploymentId" = ${deploymentId} AND "status" <> 'stopped' AND "id" <> ALL(${ids}::text[])`,
  );
}
