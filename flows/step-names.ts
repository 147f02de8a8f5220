import { deployFlow } from './deploy';
import { DEPLOYFLOW_FLOWS } from './index';
import { rollbackFlow } from './rollback';
import type { AnyFlow } from '../src/engine/define-flow';
import { pollInstances } from '../processors/poll-instances';
import { scrapeOpenapi } from '../processors/scrape-openapi';
import { setReady } from '../processors/set-ready';
import { undoRoutes } from '../processors/undo-routes';
import { updateLive } from '../processors/update-live';

/** A flow's step names in the order they run: what step rows, jobs and the dashboard show. */
export const stepNames = (flow: AnyFlow): string[] => flow.steps.map((placed) => placed.step.name);
const names = stepNames;

export const DEPLOY_STEPS = names(deployFlow);
/** Rollback and promote run the same three steps. */
export const SWITCH_STEPS = names(rollbackFlow);
/** The queue each step of deployflow's flows runs on, by step name (a name means the same step in every flow). */
export const STEP_QUEUES: ReadonlyMap<string, string> = new Map(DEPLOYFLOW_FLOWS.flatMap((flow) => flow.steps.map((s) => [s.step.name, s.queue] as const)));
export const ROUTING_STEPS: ReadonlySet<string> = new Set(DEPLOYFLOW_FLOWS.flatMap((flow) => flow.steps.filter((s) => s.queue === 'routing').map((s) => s.step.name)));
export const COMPENSATE_STEP = deployFlow.compensation?.name ?? 'compensate';
export const DeployStep = { pollInstances: pollInstances.name, scrapeOpenapi: scrapeOpenapi.name, setReady: setReady.name, updateLive: updateLive.name };
export const UndoStep = { undoRoutes: undoRoutes.name };
