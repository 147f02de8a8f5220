import { judgeSwitchPreconditions, readSwitchState, SwitchTarget } from '../src/operations/switch-preconditions';
import { switchStep } from './services';

/** Rollback/promote step 1: the target exists in the project, is production and ready; a given source is still live. */
export const validate = switchStep({
  name: 'validate',
  queue: 'switches',
  async run({ services, data }): Promise<SwitchTarget> {
    // The operation (for the source it expects) and the rows it is checked against, read at once.
    const input = { kind: data.kind, projectId: data.projectId, targetDeploymentId: data.deploymentId };
    const [op, state] = await Promise.all([
      services.prisma.operation.findUniqueOrThrow({ where: { id: data.operationId }, select: { sourceDeploymentId: true } }),
      readSwitchState(services.prisma, input),
    ]);
    return judgeSwitchPreconditions(state, { ...input, expectedSourceDeploymentId: op.sourceDeploymentId ?? undefined }, false);
  },
  summarize: (t) => `target valid; live now ${t.liveDeploymentId ?? 'none'}${t.pinned ? ' (pinned)' : ''}`,
});
