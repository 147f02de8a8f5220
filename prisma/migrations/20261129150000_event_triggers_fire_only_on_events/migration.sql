-- The event-log triggers decide in their WHEN clauses whether a row change is an event, so PostgreSQL calls their
-- functions (and, for AFTER triggers, queues an event) only when it is. Before, every change of a deployment row ran
-- both plpgsql functions to find out, including the "eventSeq" bump each step event makes: a deploy's ~20 step
-- writes each paid for two function calls on the deployment row that could never log anything. What is logged, and
-- with which numbers, is unchanged: the conditions below are those of "deployment_status_is_event" and of
-- "deployment_step_event"'s own comparison, written out on the row's columns.

DROP TRIGGER "Deployment_status_seq" ON "Deployment";
DROP TRIGGER "Deployment_status_event" ON "Deployment";
DROP TRIGGER "DeploymentStep_event" ON "DeploymentStep";

-- A status event: a deployment created in an in-flight status, or moved (status, reason, failed step) to one.
CREATE TRIGGER "Deployment_status_seq_insert"
BEFORE INSERT ON "Deployment"
FOR EACH ROW WHEN (NEW."status" IN ('pending', 'building', 'deploying', 'network'))
EXECUTE FUNCTION "deployment_status_seq"();

CREATE TRIGGER "Deployment_status_seq_update"
BEFORE UPDATE ON "Deployment"
FOR EACH ROW WHEN (NEW."status" IN ('pending', 'building', 'deploying', 'network')
  AND (NEW."status", NEW."statusReason", NEW."failedStep") IS DISTINCT FROM (OLD."status", OLD."statusReason", OLD."failedStep"))
EXECUTE FUNCTION "deployment_status_seq"();

CREATE TRIGGER "Deployment_status_event_insert"
AFTER INSERT ON "Deployment"
FOR EACH ROW WHEN (NEW."status" IN ('pending', 'building', 'deploying', 'network'))
EXECUTE FUNCTION "deployment_status_event"();

CREATE TRIGGER "Deployment_status_event_update"
AFTER UPDATE ON "Deployment"
FOR EACH ROW WHEN (NEW."status" IN ('pending', 'building', 'deploying', 'network')
  AND (NEW."status", NEW."statusReason", NEW."failedStep") IS DISTINCT FROM (OLD."status", OLD."statusReason", OLD."failedStep"))
EXECUTE FUNCTION "deployment_status_event"();

-- A step event: a step row created, or changed in what an event shows of it ("deployment_step_event_data").
CREATE TRIGGER "DeploymentStep_event_insert"
AFTER INSERT ON "DeploymentStep"
FOR EACH ROW EXECUTE FUNCTION "deployment_step_event"();

CREATE TRIGGER "DeploymentStep_event_update"
AFTER UPDATE ON "DeploymentStep"
FOR EACH ROW WHEN ((NEW."name", NEW."position", NEW."status", NEW."attempts", NEW."startedAt", NEW."endedAt", NEW."error", NEW."output")
  IS DISTINCT FROM (OLD."name", OLD."position", OLD."status", OLD."attempts", OLD."startedAt", OLD."endedAt", OLD."error", OLD."output"))
EXECUTE FUNCTION "deployment_step_event"();
