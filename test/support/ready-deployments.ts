import type { KraneDriver } from '../../src/krane/driver';
import type { EngineHarness } from './engine-harness';
import { HELLO_API } from './engine-harness';
import { seedProject } from './seed';

/** Deploys examples/hello-api as `VERSION=version` and waits until its operation succeeded: a deployment to switch to. */
export async function deployReady(h: EngineHarness<KraneDriver>, projectId: string, workspaceId: string, version: string): Promise<string> {
  const r = await h.deploy({ projectId, image: HELLO_API, runtime: { env: { VERSION: version } } }, workspaceId);
  const done = await h.waitForOperation(r.operationId);
  if (done.state !== 'succeeded') throw new Error(`deploy of ${version} ended ${done.state}: ${done.errorMessage ?? ''}`);
  return r.deploymentId;
}

/**
 * A project with two ready production deployments, v1 and then v2 (live): where every rollback/promote test starts.
 * `caller` is the workspace's caller as the operations' requests take it.
 */
export async function twoReadyDeployments(h: EngineHarness<KraneDriver>, workspaceSlug: string, projectSlug = 'shop') {
  const { workspace, project } = await seedProject(h.db.prisma, { workspace: workspaceSlug, project: projectSlug });
  const v1 = await deployReady(h, project.id, workspace.id, 'v1');
  const v2 = await deployReady(h, project.id, workspace.id, 'v2');
  return { workspace, project, caller: { workspaceId: workspace.id, requestedBy: 'test' }, v1, v2 };
}
