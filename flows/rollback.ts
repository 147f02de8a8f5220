import { defineFlow, onRouting, onSteps } from '../src/engine/define-flow';
import { SwitchJobData } from '../src/operations/operation-jobs';
import { checkInstances } from '../processors/check-instances';
import type { Services } from '../processors/services';
import { switchRoutes } from '../processors/switch-routes';
import { validate } from '../processors/validate';
import { switchHooks } from './switch-hooks';

/**
 * Rollback (SPEC §3.2): production's live, environment and custom routes move to an earlier ready deployment in one
 * step, and the project is pinned to it (later deploys do not take live traffic until a promote).
 */
export const rollbackFlow = defineFlow<Services, SwitchJobData>({
  kind: 'rollback',
  data: SwitchJobData,
  fromOperation: (op) => ({ deploymentId: op.deploymentId, ownerId: op.id }),
  steps: [
    onSteps(validate), //        target ready, production, same project; a given source still live
    onSteps(checkInstances), //  Krane says the target runs
    onRouting(switchRoutes), //  the project's turn (taken at request), then routes, live pointer and pin in one transaction
  ],
  ...switchHooks,
});
