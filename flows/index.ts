import { canaryWeightFlow } from './canary-weight';
import { deployFlow } from './deploy';
import { healthWatchFlow } from './health-watch';
import { promoteFlow } from './promote';
import { releaseFlow } from './release';
import { rollbackFlow } from './rollback';
import { undoFlow } from './undo';

/** Every kind of operation deployflow runs, as the flows handed to the engine. */
export const DEPLOYFLOW_FLOWS = [deployFlow, rollbackFlow, promoteFlow, undoFlow, releaseFlow, canaryWeightFlow, healthWatchFlow] as const;
