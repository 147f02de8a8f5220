import { NotFoundError } from '../src/errors';
import { readSwitchCheckRows } from '../src/operations/switch-check-rows';
import { CheckedSwitch, judgeSwitchTarget } from '../src/operations/switch-preconditions';
import { switchStep } from './services';

/**
 * Rollback/promote step 1: the target exists in the project, is production and ready; a given source is still live.
 * Runs at the same time as check-instances; switch-routes checks the same again inside its transaction.
 */
export const validate = switchStep({
  name: 'validate',
  queue: 'switches',
  async run({ services, data }): Promise<CheckedSwitch> {
    // The operation (for the source it expects) and the rows it is checked against, in one statement.
    const rows = await readSwitchCheckRows(services.prisma, { operationId: data.operationId, projectId: data.projectId, targetDeploymentId: data.deploymentId });
    if (!rows.project) throw new NotFoundError('project', data.projectId);
    const input = { kind: data.kind, projectId: data.projectId, targetDeploymentId: data.deploymentId, expectedSourceDeploymentId: rows.expectedSourceDeploymentId ?? undefined };
    return judgeSwitchTarget(rows.project, rows.target, input, false);
  },
  summarize: (t) => `target valid; live now ${t.liveDeploymentId ?? 'none'}${t.pinned ? ' (pinned)' : ''}`,
});
