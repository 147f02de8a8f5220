import { TerminalError } from '../src/errors';
import type { StepModule } from '../src/engine/step-module';
import { SwitchStep } from '../src/engine/step-names';
import { syncInstances } from '../src/engine/sync-instances';
import type { SwitchTarget } from '../src/operations/switch-preconditions';

/** Rollback/promote step 2: asks Krane now (not the Instance rows, which may be stale) that the target has running instances. */
export const checkInstances: StepModule<{ running: number }> = {
  name: SwitchStep.checkInstances,
  queue: 'steps',
  async run({ deps, data, outputs }) {
    const target = outputs[SwitchStep.validate] as SwitchTarget;
    const instances = await deps.krane.get(target.namespace, data.deploymentId!);
    await syncInstances(deps.prisma, data.deploymentId!, instances);
    const running = instances.filter((i) => i.status === 'running').length;
    if (running === 0) {
      throw new TerminalError('no_running_instances', { deploymentId: data.deploymentId!, purpose: 'switch', known: instances.length });
    }
    return { running };
  },
  summarize: (o) => `${o.running} instance(s) running in Krane`,
};
