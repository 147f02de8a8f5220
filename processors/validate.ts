import { checkSwitchPreconditions, SwitchTarget } from '../src/operations/switch-preconditions';
import { switchStep } from './services';

/** Rollback/promote step 1: the target exists in the project, is production and ready; a given source is still live. */
export const validate = switchStep({
  name: 'validate',
  queue: 'switches',
  async run({ services, data }): Promise<SwitchTarget> {
    const op = await services.prisma.operation.findUniqueOrThrow({ where: { id: data.operationId } });
    return checkSwitchPreconditions(
      services.prisma,
      { kind: data.kind, projectId: data.projectId, targetDeploymentId: data.deploymentId, expectedSourceDeploymentId: op.sourceDeploymentId ?? undefined },
      false,
    );
  },
  summarize: (t) => `target valid; live now ${t.liveDeploymentId ?? 'none'}${t.pinned ? ' (pinned)' : ''}`,
});
