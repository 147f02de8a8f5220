import { DEPLOY_STEPS } from '../../flows/step-names';
import { operationJobId } from '../../src/engine/queue-names';
import { createLogger } from '../../src/logger';
import { startApiHarnessWithEngine } from '../api/support/api-harness';
import { createProject } from '../api/support/deployments';
import { HELLO_API } from '../support/engine-harness';
import { useApiHarness } from '../api/support/use-api-harness';

interface Line {
  level: string;
  msg: string;
  requestId?: string;
  step?: string;
  durationMs?: unknown;
  [field: string]: unknown;
}

describe('grep <requestId>: the request, its operation and every step of it', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine({ logger: createLogger('debug', { service: 'trace-test' }, (line) => lines.push(JSON.parse(line))) }), timeoutMs: 60_000 });
  const lines: Line[] = [];

  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  }, 60_000);

  it('puts the request id on the access line, the operation, each step started/succeeded, and the outcome, with durations', async () => {
    const requestId = 'ci-run-91-deploy';
    const res = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      headers: { 'x-request-id': requestId },
      body: { projectId: 'shop', image: HELLO_API, git: { branch: 'main' } },
    });
    expect(res.status).toBe(202);
    const op = await h.engine.waitForOperation(res.body.operationId, 60_000);
    expect(op.state).toBe('succeeded');

    // The operation row turns succeeded first (a waiter may answer at once); its log line follows the duration query.
    for (const until = Date.now() + 10_000; !lines.some((l) => l.requestId === requestId && l.msg === 'operation succeeded') && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 20));
    }

    // The root job's data carries the id: a flow re-enqueued by the reconciler (from the operation row) keeps it too.
    const root = await h.engine.engine.deps.queues.operations.getJob(operationJobId(res.body.operationId));
    expect(root?.data.requestId).toBe(requestId);

    const traced = lines.filter((l) => l.requestId === requestId);
    const trace = traced.map((l) => (l.step ? `${l.msg} ${l.step}` : l.msg));
    console.log(`lines with requestId ${requestId}:\n${traced.map((l) => JSON.stringify(l)).join('\n')}`);
    expect(trace).toEqual(expect.arrayContaining(['deploy requested', 'request', 'operation succeeded']));
    for (const step of DEPLOY_STEPS) {
      expect(trace).toContain(`step started ${step}`);
      expect(trace).toContain(`step succeeded ${step}`);
      const done = traced.find((l) => l.msg === 'step succeeded' && l.step === step)!;
      expect(done).toMatchObject({ operationId: res.body.operationId, deploymentId: res.body.deploymentId });
      expect(typeof done.durationMs).toBe('number');
      expect(done.durationMs as number).toBeGreaterThanOrEqual(0);
    }
    const outcome = traced.find((l) => l.msg === 'operation succeeded')!;
    expect(outcome).toMatchObject({ level: 'info', operationId: res.body.operationId, kind: 'deploy' });
    // The operation's duration spans its steps: at least the longest one.
    const longestStep = Math.max(...traced.filter((l) => l.msg === 'step succeeded').map((l) => l.durationMs as number));
    expect(outcome.durationMs as number).toBeGreaterThanOrEqual(longestStep);
  }, 90_000);

  it('puts the request id and durations on the failed step and the failed operation', async () => {
    const requestId = 'ci-run-92-bad-image';
    const res = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      headers: { 'x-request-id': requestId },
      body: { projectId: 'shop', image: 'file:examples/does-not-exist', git: { branch: 'main' } },
    });
    expect(res.status).toBe(202);
    const op = await h.engine.waitForOperation(res.body.operationId, 60_000);
    expect(op.state).toBe('failed');
    const traced = lines.filter((l) => l.requestId === requestId);
    const failedStep = traced.find((l) => l.msg === 'step failed')!;
    expect(failedStep).toMatchObject({ level: 'warn', step: 'create-in-krane', operationId: res.body.operationId });
    expect(typeof failedStep.durationMs).toBe('number');
    // The operation row turns failed first (a waiter may answer at once); its log line follows the duration query.
    const outcomeLine = () => lines.find((l) => l.requestId === requestId && l.msg === 'operation failed');
    for (const until = Date.now() + 10_000; !outcomeLine() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    const outcome = outcomeLine()!;
    expect(outcome).toMatchObject({ level: 'warn', operationId: res.body.operationId, kind: 'deploy', step: 'create-in-krane' });
    expect(typeof outcome.durationMs).toBe('number');
  }, 90_000);
});
