import { Client } from 'pg';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

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
  const statements: string[] = [];
  const query = Client.prototype.query;
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      statements.push((typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim());
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
  });
  afterAll(async () => {
    Client.prototype.query = query;
    await h.close();
  });

  it('adds its flow after three statements, none of them a read of its own operation', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'test' };
    const deploy = async (version: string) => {
      const r = await h.deploy({ projectId: project.id, image: HELLO_API, runtime: { env: { VERSION: version } } }, workspace.id);
      expect((await h.waitForOperation(r.operationId)).state).toBe('succeeded');
      return r.deploymentId;
    };
    const v1 = await deploy('v1');
    await deploy('v2');

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
    expect(before!.length).toBeLessThanOrEqual(3);
    // The jobs are named after what the switch acts on, as when the engine read it.
    const job = await h.engine.deps.queues.routing.getJobs(['completed']);
    expect(job.map((j) => j.name)).toContain('switch-routes · shop/production');
  });
});

/** The request names its project by slug, as an API caller may. */
function shopSlug(project: { slug: string }): string {
  return project.slug;
}
