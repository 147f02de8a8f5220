import type { StepModule } from '../src/engine/step-module';
import { SwitchStep } from '../src/engine/step-names';
import { checkSwitchPreconditions, SwitchTarget } from '../src/operations/switch-preconditions';

/** Rollback/promote step 1: the target exists in the project, is production and ready; a given source is still live. */
export const validate: StepModule<SwitchTarget> = {
  name: SwitchStep.validate,
  queue: 'steps',
  async run({ deps, data }) {
    const op = await deps.prisma.operation.findUniqueOrThrow({ where: { id: data.operationId } });
    return checkSwitchPreconditions(
      deps.prisma,
      { kind: data.kind as 'rollback' | 'promote', projectId: data.projectId, targetDeploymentId: data.deploymentId!, expectedSourceDeploymentId: op.sourceDeploymentId ?? undefined },
      false,
    );
  },
  summarize: (t) => `target valid; live now ${t.liveDeploymentId ?? 'none'}${t.pinned ? ' (pinned)' : ''}`,
};
