import type { StepModule } from '../src/engine/step-module';
import { assignRoutes } from './assign-routes';
import { buildRoutes } from './build-routes';
import { checkInstances } from './check-instances';
import { createInKrane } from './create-in-krane';
import { fetchMetadata } from './fetch-metadata';
import { pollInstances } from './poll-instances';
import { scrapeOpenapi } from './scrape-openapi';
import { setBuilding } from './set-building';
import { setReady } from './set-ready';
import { switchRoutes } from './switch-routes';
import { undoRoutes } from './undo-routes';
import { updateLive } from './update-live';
import { validate } from './validate';

/** Every step module by its name (the job name). */
export const STEP_MODULES: ReadonlyMap<string, StepModule<any>> = new Map(
  [fetchMetadata, setBuilding, createInKrane, pollInstances, scrapeOpenapi, buildRoutes, assignRoutes, setReady, updateLive, validate, checkInstances, switchRoutes, undoRoutes].map((m) => [m.name, m]),
);
