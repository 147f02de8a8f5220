import { deployFlow } from './deploy';
import { promoteFlow } from './promote';
import { rollbackFlow } from './rollback';
import { undoFlow } from './undo';

/** Every kind of operation deployflow runs, as the flows handed to the engine. */
export const DEPLOYFLOW_FLOWS = [deployFlow, rollbackFlow, promoteFlow, undoFlow] as const;
