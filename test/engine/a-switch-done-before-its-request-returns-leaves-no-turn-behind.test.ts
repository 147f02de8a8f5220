import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { twoReadyDeployments } from '../support/ready-deployments';

/**
 * A switch's steps run as soon as its flow is added; on a busy process the whole switch can be done before the request
 * that enqueued it takes its next step. The switch's place in its project's routing order must then already be taken
 * (and served, and passed on): a place taken after its routing job had finished is one nobody will ever hold, and the
 * project's next switch waited behind it until its waiters noticed the holder was gone (about 5 s).
 */
describe('a switch done before its request returns', () => {
  let h: EngineHarness<InstantDriver>;
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
  });
  afterAll(async () => h.close());

  it('leaves no place in the routing order behind it', async () => {
    const { project, caller, v1 } = await twoReadyDeployments(h, 'acme');

    // The request's flow is added, then the request is held until the whole switch has succeeded: the slow
    // continuation of a loaded process, made certain.
    const flows = h.engine.deps.queues.flows;
    const add = flows.add.bind(flows);
    let switchOp: string | undefined;
    flows.add = async (flow) => {
      const node = await add(flow);
      if (switchOp) await h.waitForOperation(switchOp, 20_000);
      return node;
    };
    try {
      const enqueue = async (operationId: string) => {
        switchOp = operationId;
        await h.engine.enqueue(operationId);
      };
      const rollback = await requestSwitch({ prisma: h.db.prisma, enqueue }, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1 });
      expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    } finally {
      flows.add = add;
    }

    // Every ticket handed out has been served: nothing is left for the next switch to wait behind.
    const { serving, last } = await new ProjectTurns(h.redis, h.prefix).holder(project.id);
    expect({ serving, last }).toEqual({ serving: last + 1, last });
  });
});
