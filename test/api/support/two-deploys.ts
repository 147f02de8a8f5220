import type { EngineHarness } from '../../support/engine-harness';
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from './api-harness';
import { createProject, deployOverHttp } from './deployments';

export interface TwoDeploys {
  h: ApiHarness & { engine: EngineHarness };
  acme: WorkspaceKeys;
  projectId: string;
  /** Deployed first, then v2: v2 is live. */
  v1: string;
  v2: string;
}

/** The usual stage for route switches: workspace `acme`, project `shop`, two ready production deploys over HTTP. */
export async function startProjectWithTwoDeploys(): Promise<TwoDeploys> {
  const h = await startApiHarnessWithEngine();
  const acme = await h.workspace('acme');
  const projectId = (await createProject(h, acme.admin, 'shop')).id;
  const v1 = (await deployOverHttp(h, acme.deployer, { projectId: 'shop', version: 'v1' })).deploymentId;
  const v2 = (await deployOverHttp(h, acme.deployer, { projectId: 'shop', version: 'v2' })).deploymentId;
  return { h, acme, projectId, v1, v2 };
}
