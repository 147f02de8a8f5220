/** Every step has one name: in the job, the DeploymentStep row, the logs and the dashboard. */
export const DeployStep = {
  fetchMetadata: 'fetch-metadata',
  setBuilding: 'set-building',
  createInKrane: 'create-in-krane',
  pollInstances: 'poll-instances',
  scrapeOpenapi: 'scrape-openapi',
  buildRoutes: 'build-routes',
  assignRoutes: 'assign-routes',
  setReady: 'set-ready',
  updateLive: 'update-live',
} as const;

/** The deploy flow's steps in the order they run (SPEC §3.1). */
export const DEPLOY_STEPS = [
  DeployStep.fetchMetadata,
  DeployStep.setBuilding,
  DeployStep.createInKrane,
  DeployStep.pollInstances,
  DeployStep.scrapeOpenapi,
  DeployStep.buildRoutes,
  DeployStep.assignRoutes,
  DeployStep.setReady,
  DeployStep.updateLive,
] as const;

export const SwitchStep = {
  validate: 'validate',
  checkInstances: 'check-instances',
  switchRoutes: 'switch-routes',
} as const;

/** Rollback and promote run the same three steps (SPEC §3.2, §3.3). */
export const SWITCH_STEPS = [SwitchStep.validate, SwitchStep.checkInstances, SwitchStep.switchRoutes] as const;

export const UndoStep = { undoRoutes: 'undo-routes' } as const;

/** Compensation for a failed or cancelled deploy: delete the Krane deployment. */
export const COMPENSATE_STEP = 'compensate';

/** Steps that run in the routing queue. */
export const ROUTING_STEPS: ReadonlySet<string> = new Set([DeployStep.assignRoutes, SwitchStep.switchRoutes, UndoStep.undoRoutes]);

/** The step of an operation kind that runs in the routing queue. */
export function routingStepOf(kind: string): string | undefined {
  switch (kind) {
    case 'deploy':
      return DeployStep.assignRoutes;
    case 'rollback':
    case 'promote':
      return SwitchStep.switchRoutes;
    case 'undo':
      return UndoStep.undoRoutes;
    default:
      return undefined;
  }
}
