import type { FlowJob } from 'bullmq';
import { Client } from 'pg';
import { deployFlow } from '../../flows/deploy';
import { switchFlow } from '../../flows/switch';
import { checkInstances } from '../../processors/check-instances';
import { validate } from '../../processors/validate';
import { concurrently, defineFlow, FlowDefinitionError, onSwitches } from '../../src/engine/define-flow';
import { buildFlowJob } from '../../src/engine/flow-job';
import { OperationJobData } from '../../src/engine/job-data';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { twoReadyDeployments } from '../support/ready-deployments';

/**
 * A rollback or promote checks its target (`validate`: the rows; `check-instances`: Krane) before `switch-routes` takes
 * its turn. Neither check reads the other's output, so both are children of `switch-routes` and run at the same time:
 * the switch waits for the longer of the two, not for their sum and a queue hop between them. In the chain they ran in
 * before, check-instances was validate's parent and could not start until validate had succeeded.
 */
const stepOf = (job: FlowJob) => (job.data as { step: string }).step;

describe('the switch flow runs its two checks at the same time', () => {
  it('makes validate and check-instances both children of switch-routes, each without a child of its own (a deploy stays a chain)', () => {
    const data = { operationId: 'op_1', kind: 'rollback', projectId: 'prj_1', ownerId: 'op_1', deploymentId: 'dep_1' };
    const root = buildFlowJob(switchFlow('rollback'), data, { stepAttempts: 3, backoffMs: 50 });
    expect(root.children?.map(stepOf)).toEqual(['switch-routes']);
    const switchRoutes = root.children![0];
    expect(switchRoutes.queueName).toBe('routing');
    expect(switchRoutes.children?.map(stepOf).sort()).toEqual(['check-instances', 'validate']);
    for (const check of switchRoutes.children!) {
      expect(check.queueName).toBe('switches');
      expect(check.children).toBeUndefined();
      expect(check.opts?.jobId).toBe(`op_1.${stepOf(check)}`);
    }
    // Positions still order the timeline: validate, check-instances, switch-routes.
    expect(switchRoutes.children!.map((j) => [stepOf(j), (j.data as { position: number }).position]).sort()).toEqual([
      ['check-instances', 1],
      ['validate', 0],
    ]);
    // A flow without concurrent steps (deploy) stays a chain: one child per step, the first step deepest.
    let job: FlowJob | undefined = buildFlowJob(deployFlow, { ...data, kind: 'deploy' }, { stepAttempts: 3, backoffMs: 50 });
    const names: string[] = [];
    while (job?.children) {
      expect(job.children).toHaveLength(1);
      job = job.children[0];
      names.unshift(stepOf(job));
    }
    expect(names).toEqual(deployFlow.steps.map((s) => s.step.name));
  });

  it('refuses concurrent steps that are not the first, alone, last, or that need one another', () => {
    const base = { kind: 'test', data: OperationJobData, fromOperation: () => ({}) };
    const [v, c] = [onSwitches(validate), onSwitches(checkInstances)];
    expect(() => defineFlow({ ...base, steps: [v, ...concurrently(c, v)] })).toThrow(FlowDefinitionError);
    expect(() => defineFlow({ ...base, steps: [...concurrently(v), c] })).toThrow(/cannot run concurrently on its own/);
    expect(() => defineFlow({ ...base, steps: concurrently(v, c) })).toThrow(/a step after them/);
    const needsValidate = { ...checkInstances, name: 'needs-validate', needs: { target: validate } };
    expect(() => defineFlow({ ...base, steps: [...concurrently(v, onSwitches(needsValidate)), c] })).toThrow(/needs validate/);
  });
});

describe('a switch whose checks run at the same time', () => {
  let h: EngineHarness<InstantDriver>;
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
  });
  afterAll(async () => {
    await h.engine.deps.queues.switches.resume();
    await h.close();
  });

  const stepRows = async (operationId: string) =>
    Object.fromEntries((await h.db.prisma.deploymentStep.findMany({ where: { ownerId: operationId } })).map((s) => [s.name, s]));

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  /**
   * Resumes the paused switch checks with validate held at its start: its first write (the operation queued ->
   * running) waits for a row lock this test holds on the operation until `meanwhile` is done.
   */
  async function whileValidateIsHeld(operationId: string, meanwhile: () => Promise<void>): Promise<void> {
    const lock = new Client({ connectionString: h.db.url });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM "Operation" WHERE "id" = $1 FOR UPDATE', [operationId]);
      await h.engine.deps.queues.switches.resume();
      await meanwhile();
      await lock.query('COMMIT');
    } finally {
      await lock.end();
    }
  }

  it('has check-instances finish while validate is held at its start, and switch-routes wait for both', async () => {
    const { caller, project, v1, v2 } = await twoReadyDeployments(h, 'acme');
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    // The switch's checks are held in their queue until validate's start is blocked: its first write (the operation
    // queued -> running) waits for a row lock this test holds on the operation.
    await h.engine.deps.queues.switches.pause();
    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1, expectedSourceDeploymentId: v2 });
    await whileValidateIsHeld(rollback.operationId, async () => {
      // In a chain, check-instances could not start before validate succeeded: it would stay pending here.
      const held = await waitFor('check-instances to succeed while validate is held', async () => {
        const rows = await stepRows(rollback.operationId);
        return rows['check-instances']?.status === 'succeeded' ? rows : undefined;
      });
      expect(held['validate'].status).not.toBe('succeeded');
      expect(held['switch-routes'].status).toBe('pending');
    });
    expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    const rows = await stepRows(rollback.operationId);
    expect(Object.values(rows).map((s) => [s.position, s.name, s.status]).sort()).toEqual([
      [0, 'validate', 'succeeded'],
      [1, 'check-instances', 'succeeded'],
      [2, 'switch-routes', 'succeeded'],
    ]);
    const checksEnded = Math.max(rows['validate'].endedAt!.getTime(), rows['check-instances'].endedAt!.getTime());
    expect(rows['switch-routes'].startedAt!.getTime()).toBeGreaterThanOrEqual(checksEnded);
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v1);
  });

  it('does not run switch-routes when check-instances succeeded and validate then fails', async () => {
    const { caller, project, v1, v2 } = await twoReadyDeployments(h, 'gamma');
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    // validate is held at its start (a row lock on its operation) until check-instances has succeeded; meanwhile the
    // target stops being routable, so validate fails once let go. switch-routes then has one succeeded child and one
    // failed one: BullMQ moves it on with check-instances' output alone, and it must fail with validate's reason
    // instead of running (reading only "a child succeeded" as "the children succeeded" would switch the routes).
    await h.engine.deps.queues.switches.pause();
    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1, expectedSourceDeploymentId: v2 });
    await whileValidateIsHeld(rollback.operationId, async () => {
      await waitFor('check-instances to succeed while validate is held', async () => {
        const rows = await stepRows(rollback.operationId);
        return rows['check-instances']?.status === 'succeeded' ? rows : undefined;
      });
      await h.db.prisma.deployment.update({ where: { id: v1 }, data: { status: 'building' } });
    });
    const failed = await h.waitForOperation(rollback.operationId);
    expect(failed).toMatchObject({ state: 'failed', errorCode: 'deployment_not_ready' });
    expect(failed.errorMessage).toMatch(/^validate: /);
    const rows = await stepRows(rollback.operationId);
    expect(rows['check-instances'].status).toBe('succeeded');
    expect(rows['validate'].status).toBe('failed');
    expect(rows['switch-routes'].status).toBe('skipped');
    expect(rows['switch-routes'].startedAt).toBeNull();
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2);
    expect(await h.db.prisma.routeChange.count({ where: { operationId: rollback.operationId } })).toBe(0);
    const { serving, last } = await new ProjectTurns(h.redis, h.prefix).holder(project.id);
    expect({ serving, last }).toEqual({ serving: last + 1, last });
  });

  it('ends a switch whose check-instances failed only once validate, still running beside it, has settled', async () => {
    const { caller, workspace, project, v1, v2 } = await twoReadyDeployments(h, 'delta');
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    // The target's instances are gone, so check-instances fails for good at once; validate is held inside its run (its
    // one read joins Environment, which this test locks) after its row says `running`.
    await h.engine.deps.queues.switches.pause();
    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1, expectedSourceDeploymentId: v2 });
    await h.krane.client.delete(workspace.slug, v1);
    const lock = new Client({ connectionString: h.db.url });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Environment" IN ACCESS EXCLUSIVE MODE');
      await h.engine.deps.queues.switches.resume();
      // check-instances failed for good, and says it waits for validate before ending the operation.
      await waitFor('check-instances to wait for validate', async () => {
        const { logs } = await h.engine.deps.queues.switches.getJobLogs(`${rollback.operationId}.check-instances`);
        return logs.some((l) => l.includes('waiting for validate, running at the same time, to settle')) ? true : undefined;
      });
      const rows = await stepRows(rollback.operationId);
      expect(rows['check-instances'].status).toBe('failed');
      expect(rows['validate'].status).toBe('running');
      // Before, the operation failed here with validate's row still `running`.
      expect((await h.db.prisma.operation.findUniqueOrThrow({ where: { id: rollback.operationId } })).state).toBe('running');
      await lock.query('COMMIT');
    } finally {
      await lock.end();
    }
    const failed = await h.waitForOperation(rollback.operationId);
    expect(failed).toMatchObject({ state: 'failed', errorCode: 'no_running_instances' });
    expect(failed.errorMessage).toMatch(/^check-instances: /);
    const rows = await stepRows(rollback.operationId);
    expect(rows['validate'].status).toBe('succeeded');
    const { finishedAt } = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: rollback.operationId } });
    expect(rows['validate'].endedAt!.getTime()).toBeLessThanOrEqual(finishedAt!.getTime());
    expect(rows['check-instances'].status).toBe('failed');
    expect(rows['switch-routes'].status).toBe('skipped');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2);
    const { serving, last } = await new ProjectTurns(h.redis, h.prefix).holder(project.id);
    expect({ serving, last }).toEqual({ serving: last + 1, last });
  });

  it('fails at validate without switching while check-instances runs beside it, and gives its turn back', async () => {
    const { caller, project, v1, v2 } = await twoReadyDeployments(h, 'beta');
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    // The target stops being routable after the request judged it and before validate runs.
    await h.engine.deps.queues.switches.pause();
    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1, expectedSourceDeploymentId: v2 });
    await h.db.prisma.deployment.update({ where: { id: v1 }, data: { status: 'building' } });
    await h.engine.deps.queues.switches.resume();
    const failed = await h.waitForOperation(rollback.operationId);
    expect(failed).toMatchObject({ state: 'failed', errorCode: 'deployment_not_ready' });
    expect(failed.errorMessage).toMatch(/^validate: /);
    // check-instances ran beside validate (in a chain it would have been skipped) and ended on its own.
    const rows = await waitFor('check-instances to end', async () => {
      const r = await stepRows(rollback.operationId);
      return ['succeeded', 'failed'].includes(r['check-instances']?.status) ? r : undefined;
    });
    expect(rows['check-instances'].status).toBe('succeeded');
    expect(rows['validate'].status).toBe('failed');
    expect(rows['switch-routes'].status).toBe('skipped');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2);
    expect(await h.db.prisma.routeChange.count({ where: { operationId: rollback.operationId } })).toBe(0);

    // The failed switch gave its place in the project's routing order back: nothing is left for the next switch to
    // wait behind, and it goes through.
    const { serving, last } = await new ProjectTurns(h.redis, h.prefix).holder(project.id);
    expect({ serving, last }).toEqual({ serving: last + 1, last });
    await h.db.prisma.deployment.update({ where: { id: v1 }, data: { status: 'ready' } });
    const again = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1, expectedSourceDeploymentId: v2 });
    expect((await h.waitForOperation(again.operationId)).state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v1);
  });
});
