import { concurrently, defineFlow, onRouting, onSwitches } from '../src/engine/define-flow';
import { SwitchJobData } from '../src/operations/operation-jobs';
import { operationSubject } from '../src/operations/operation-subject';
import { checkInstances } from '../processors/check-instances';
import type { Services } from '../processors/services';
import { switchRoutes } from '../processors/switch-routes';
import { validate } from '../processors/validate';
import { switchHooks } from './switch-hooks';

/**
 * Rollback and promote run the same three steps; `switch-routes` reads the kind to set (rollback) or clear (promote)
 * the pin. Once the route change committed, a later failure rolls the operation forward. The two checks run at the same
 * time (neither reads the other's output), and `switch-routes` starts once both passed: a switch waits for the longer
 * of the two, not their sum and a queue hop between them. Either failing for good fails the switch before its turn.
 */
export function switchFlow(kind: SwitchJobData['kind']) {
  return defineFlow<Services, SwitchJobData>({
    kind,
    data: SwitchJobData,
    fromOperation: (op) => ({ deploymentId: op.deploymentId, ownerId: op.id }),
    subject: operationSubject, // what its jobs' names on the dashboard say it acts on (`shop/production`)
    steps: [
      ...concurrently(
        onSwitches(validate), //        target ready, production, same project; a given source still live
        onSwitches(checkInstances), //  Krane says the target runs
      ),
      onRouting(switchRoutes), //  the project's turn (taken at request), then routes, live pointer and pin in one transaction
    ],
    ...switchHooks,
  });
}
