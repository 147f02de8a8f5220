import { switchFlow } from './switch';

/**
 * Rollback (SPEC §3.2): production's live, environment and custom routes move to an earlier ready deployment in one
 * step, and the project is pinned to it (later deploys do not take live traffic until a promote).
 */
export const rollbackFlow = switchFlow('rollback');
