import { defineFlow, onRouting, onSteps } from '../src/engine/define-flow';
import { SwitchJobData } from '../src/operations/operation-jobs';
import { checkInstances } from '../processors/check-instances';
import type { Services } from '../processors/services';
import { switchRoutes } from '../processors/switch-routes';
import { validate } from '../processors/validate';
import { switchHooks } from './switch-hooks';

/**
 * Promote (SPEC §3.3): production's live, environment and custom routes move to a ready deployment and the rollback
 * pin is cleared; promoting the live deployment of a pinned project only clears the pin (a confirm).
 */
export const promoteFlow = defineFlow<Services, SwitchJobData>({
  kind: 'promote',
  data: SwitchJobData,
  fromOperation: (op) => ({ deploymentId: op.deploymentId, ownerId: op.id }),
  steps: [
    onSteps(validate), //        target ready, production, same project; a given source still live
    onSteps(checkInstances), //  Krane says the target runs
    onRouting(switchRoutes), //  the project's turn (taken at request), then routes, live pointer and pin in one transaction
  ],
  ...switchHooks,
});
