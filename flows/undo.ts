import { defineFlow, onRouting } from '../src/engine/define-flow';
import { UndoJobData } from '../src/operations/operation-jobs';
import { operationSubject } from '../src/operations/operation-subject';
import type { Services } from '../processors/services';
import { undoRoutes } from '../processors/undo-routes';
import { switchHooks } from './switch-hooks';

/** Undo (SPEC §4.3): the project's last route change applied in reverse, live pointer and pin included. */
export const undoFlow = defineFlow<Services, UndoJobData>({
  kind: 'undo',
  data: UndoJobData,
  fromOperation: (op) => ({ ownerId: op.id }),
  subject: operationSubject, // what its jobs' names on the dashboard say it acts on (`shop/production`)
  steps: [
    onRouting(undoRoutes), //  the project's turn (taken at request), then the reverse of its last change in one transaction
  ],
  ...switchHooks,
});
