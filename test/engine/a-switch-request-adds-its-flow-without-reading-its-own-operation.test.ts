import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { twoReadyDeployments } from '../support/ready-deployments';
import { recordStatements } from '../support/statement-recorder';

/**
 * Everything a rollback request does before its flow is added is time to traffic, one round trip after another. It
 * resolves the project while it reads the target joined to its environment, and records the operation: three
 * statements, two round trips. The project is judged as resolved (not read again with its workspace), and the engine
 * is handed the operation row just inserted and the subject its jobs are named after, so it reads neither (it read the
 * operation, then the target's deployment, project and environment for the subject: ten statements in all before;
 * then four, the target and its environment apart and after the project).
 */
describe('a switch request', () => {
  let h: EngineHarness<InstantDriver>;
  const pg = recordStatements();
  const statements = pg.statements;
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
  });
  afterAll(async () => {
    pg.restore();
    await h.close();
  });

  it('adds its flow without reading its own operation back, after at most two statements', async () => {
    const { project, caller, v1 } = await twoReadyDeployments(h, 'acme');

    // The statements sent from the request's start until its flow is handed to BullMQ (no step can run before).
    const flows = h.engine.deps.queues.flows;
    const add = flows.add.bind(flows);
    let before: string[] | undefined;
    let from = 0;
    flows.add = async (flow) => {
      before ??= statements.slice(from);
      return add(flow);
    };
    try {
      from = statements.length;
      const rollback = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, caller, { kind: 'rollback', projectId: shopSlug(project), targetDeploymentId: v1 });
      expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    } finally {
      flows.add = add;
    }
    console.log(`statements before the flow was added: ${before!.length}\n${before!.map((s) => `  ${s.slice(0, 100)}`).join('\n')}`);
    expect(before!.filter((s) => s.includes('FROM "public"."Operation"'))).toEqual([]);
    expect(before!.length).toBeLessThanOrEqual(2);
    // The jobs are named after what the switch acts on, as when the engine read it.
    const job = await h.engine.deps.queues.routing.getJobs(['completed']);
    expect(job.map((j) => j.name)).toContain('switch-routes · shop/production');
  });
});

/** The request names its project by slug, as an API caller may. */
function shopSlug(project: { slug: string }): string {
  return project.slug;
}
