import { defineFlow, onSteps } from '../src/engine/define-flow';
import { HealthWatchJobData } from '../src/operations/operation-jobs';
import { operationSubject } from '../src/operations/operation-subject';
import type { Services } from '../processors/services';
import { watchHealth } from '../processors/watch-health';

/** A health watch after a plain switch (issue 15 item 4): watch the new live deployment, roll back if it trips. */
export const healthWatchFlow = defineFlow<Services, HealthWatchJobData>({
  kind: 'health_watch',
  data: HealthWatchJobData,
  fromOperation: (op) => ({ deploymentId: op.deploymentId, previousDeploymentId: op.sourceDeploymentId, seconds: op.healthWatchSeconds, ownerId: op.id }),
  subject: operationSubject,
  steps: [
    onSteps(watchHealth), //  every judging window for the watch: new live vs the previous one's baseline; rolls back if it trips
  ],
});
