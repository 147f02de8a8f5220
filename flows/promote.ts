import { switchFlow } from './switch';

/**
 * Promote (SPEC §3.3): production's live, environment and custom routes move to a ready deployment and the rollback
 * pin is cleared; promoting the live deployment of a pinned project only clears the pin (a confirm).
 */
export const promoteFlow = switchFlow('promote');
