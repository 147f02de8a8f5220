import { syncInstances } from '../src/deployments/sync-instances';
import { TerminalError } from '../src/errors';
import { switchStep } from './services';
import { validate } from './validate';

/** Rollback/promote step 2: asks Krane now (not the Instance rows, which may be stale) that the target has running instances. */
export const checkInstances = switchStep({
  name: 'check-instances',
  queue: 'switches',
  needs: { target: validate },
  async run({ services, data, needs }): Promise<{ running: number }> {
    const instances = await services.krane.get(needs.target.namespace, data.deploymentId);
    await syncInstances(services.prisma, data.deploymentId, instances);
    const running = instances.filter((i) => i.status === 'running').length;
    if (running === 0) {
      throw new TerminalError('no_running_instances', { deploymentId: data.deploymentId!, purpose: 'switch', known: instances.length });
    }
    return { running };
  },
  summarize: (o) => `${o.running} instance(s) running in Krane`,
});
