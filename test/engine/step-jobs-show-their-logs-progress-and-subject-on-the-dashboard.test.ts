import { Job } from 'bullmq';
import { operationJobId, stepJobId } from '../../src/engine/queue-names';
import { DEPLOY_STEPS } from '../../flows/step-names';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * What bull-board shows of a deploy's jobs comes from BullMQ: each job's log (`getJobLogs`, the Logs tab), its
 * progress (the Progress tab) and its name. Each step writes its start with its inputs, its outcome with the duration,
 * and step-specific lines; poll-instances reports ready/total instances; names say what the operation acts on.
 */
describe('step jobs on the dashboard', () => {
  let h: EngineHarness;
  let workspaceId: string;
  beforeAll(async () => {
    h = await startEngineHarness();
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  });
  afterAll(async () => h.close());

  it('each step job of a deploy has log lines, poll-instances its progress, and every name carries shop/production', async () => {
    const { operationId, deploymentId } = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspaceId);
    expect((await h.waitForOperation(operationId, 60_000)).state).toBe('succeeded');
    const { queues } = h.engine.deps;

    const root = await Job.fromId(queues.operations, operationJobId(operationId));
    expect(root?.name).toBe('deploy shop/production');

    for (const step of DEPLOY_STEPS) {
      const queue = step === 'assign-routes' ? queues.routing : queues.steps;
      const job = await Job.fromId(queue, stepJobId(operationId, step));
      expect(job?.name).toBe(`${step} · shop/production`);
      // The step name stays findable where workers look for it, whatever the name says.
      expect(job?.data.step).toBe(step);
      const { logs } = await queue.getJobLogs(stepJobId(operationId, step));
      console.log(`${step} job log:\n  ${logs.join('\n  ')}`);
      expect(logs[0]).toMatch(new RegExp(`^\\S+Z ${step} started \\(attempt 1/\\d+\\): .*deploymentId=${deploymentId}`));
      expect(logs[logs.length - 1]).toMatch(new RegExp(`^\\S+Z ${step} succeeded in \\d+ ms`));
    }

    const fetchLog = (await queues.steps.getJobLogs(stepJobId(operationId, 'create-in-krane'))).logs;
    // Inputs summarised: the outputs the step needs (fetch-metadata's, as `meta`).
    expect(fetchLog[0]).toMatch(/meta=\{"namespace":"acme"/);
    expect(fetchLog.some((l) => /Krane CreateDeployment acme\/dep_\w+: image file:examples\/hello-api, 1 replica/.test(l))).toBe(true);

    const poll = await Job.fromId(queues.steps, stepJobId(operationId, 'poll-instances'));
    expect(poll?.progress).toMatchObject({ ready: 1, total: 1, percent: 100 });
    const pollLog = (await queues.steps.getJobLogs(stepJobId(operationId, 'poll-instances'))).logs;
    expect(pollLog.some((l) => / poll \d+: 1\/1 instance\(s\) healthy .*: ready$/.test(l))).toBe(true);

    const assignLog = (await queues.routing.getJobLogs(stepJobId(operationId, 'assign-routes'))).logs;
    expect(assignLog.some((l) => /route change #\d+ committed in \d+ ms: \d+ route\(s\) changed, live none -> dep_/.test(l))).toBe(true);
  }, 90_000);
});
