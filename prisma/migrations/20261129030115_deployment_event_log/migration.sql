-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "eventSeq" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "DeploymentEvent" (
    "deploymentId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeploymentEvent_pkey" PRIMARY KEY ("deploymentId","seq")
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);

-- AddForeignKey
ALTER TABLE "DeploymentEvent" ADD CONSTRAINT "DeploymentEvent_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---- The deployment event log, kept by the database itself ------------------------------------------------------
-- Every write path of a deployment's status and of its step rows (the engine's, the API's, the reconciler's) goes
-- through these triggers, in the writer's own transaction: the event and its number commit with the change or not at
-- all, and numbering takes the deployment row's lock, so a deployment's events commit in the order of their numbers.
-- A reader that has seen event N has therefore seen every event below N: resuming after N loses nothing.

-- What a step event carries: the step row as GET /v1/deployments/:id shows it (timestamps as ISO 8601 in UTC).
CREATE FUNCTION "deployment_step_event_data"(s "DeploymentStep") RETURNS JSONB LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'name', s."name",
    'position', s."position",
    'status', s."status",
    'attempts', s."attempts",
    'startedAt', to_char(s."startedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'endedAt', to_char(s."endedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'error', s."error",
    'output', s."output")
$$;

-- Existing deployments: their current in-flight status, then their step rows in timeline order. Terminal statuses are
-- appended by the event stream once the deploy has settled, as for new deployments.
INSERT INTO "DeploymentEvent" ("deploymentId", "seq", "type", "data")
SELECT d."id", 1, 'status', jsonb_build_object('status', d."status", 'statusReason', d."statusReason", 'failedStep', d."failedStep", 'terminal', false)
FROM "Deployment" d
WHERE d."status" IN ('pending', 'building', 'deploying', 'network');

INSERT INTO "DeploymentEvent" ("deploymentId", "seq", "type", "data")
SELECT s."ownerId",
       (CASE WHEN d."status" IN ('pending', 'building', 'deploying', 'network') THEN 1 ELSE 0 END)
         + ROW_NUMBER() OVER (PARTITION BY s."ownerId" ORDER BY s."position", s."createdAt", s."id"),
       'step',
       "deployment_step_event_data"(s)
FROM "DeploymentStep" s
JOIN "Deployment" d ON d."id" = s."ownerId";

UPDATE "Deployment" d SET "eventSeq" = e."last"
FROM (SELECT "deploymentId", MAX("seq") AS "last" FROM "DeploymentEvent" GROUP BY "deploymentId") e
WHERE e."deploymentId" = d."id";

-- A step row of a deployment (its owner is a deployment, not an operation) changed in what it shows: number and log it.
CREATE FUNCTION "deployment_step_event"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  next_seq INTEGER;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF "deployment_step_event_data"(NEW) = "deployment_step_event_data"(OLD) THEN
      RETURN NULL;
    END IF;
  END IF;
  UPDATE "Deployment" SET "eventSeq" = "eventSeq" + 1 WHERE "id" = NEW."ownerId" RETURNING "eventSeq" INTO next_seq;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO "DeploymentEvent" ("deploymentId", "seq", "type", "data")
  VALUES (NEW."ownerId", next_seq, 'step', "deployment_step_event_data"(NEW));
  RETURN NULL;
END
$$;

CREATE TRIGGER "DeploymentStep_event"
AFTER INSERT OR UPDATE ON "DeploymentStep"
FOR EACH ROW EXECUTE FUNCTION "deployment_step_event"();

-- Whether a deployment row change is an in-flight status event: created, or its status (reason, failed step) moved,
-- to a status that is not terminal. A terminal status is logged by the event stream once the deploy has settled.
CREATE FUNCTION "deployment_status_is_event"(is_insert BOOLEAN, n "Deployment", o "Deployment") RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
  SELECT n."status" IN ('pending', 'building', 'deploying', 'network')
     AND (is_insert OR (n."status", n."statusReason", n."failedStep") IS DISTINCT FROM (o."status", o."statusReason", o."failedStep"))
$$;

CREATE FUNCTION "deployment_status_seq"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF "deployment_status_is_event"(TG_OP = 'INSERT', NEW, CASE WHEN TG_OP = 'UPDATE' THEN OLD ELSE NEW END) THEN
    NEW."eventSeq" := NEW."eventSeq" + 1;
  END IF;
  RETURN NEW;
END
$$;

CREATE FUNCTION "deployment_status_event"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF "deployment_status_is_event"(TG_OP = 'INSERT', NEW, CASE WHEN TG_OP = 'UPDATE' THEN OLD ELSE NEW END) THEN
    INSERT INTO "DeploymentEvent" ("deploymentId", "seq", "type", "data")
    VALUES (NEW."id", NEW."eventSeq", 'status',
            jsonb_build_object('status', NEW."status", 'statusReason', NEW."statusReason", 'failedStep', NEW."failedStep", 'terminal', false));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "Deployment_status_seq"
BEFORE INSERT OR UPDATE ON "Deployment"
FOR EACH ROW EXECUTE FUNCTION "deployment_status_seq"();

CREATE TRIGGER "Deployment_status_event"
AFTER INSERT OR UPDATE ON "Deployment"
FOR EACH ROW EXECUTE FUNCTION "deployment_status_event"();
