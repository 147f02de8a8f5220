import { completeOperation } from '../../src/engine/operation-completion';
import { OperationJobData } from '../../src/engine/job-data';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { parseSamples, Sample, samplesOf, valueOf } from '../support/prometheus-text';
import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';

describe('operation outcome metrics', () => {
  let h: EngineHarness;
  let workspaceId: string;
  const scrape = async (): Promise<Sample[]> => parseSamples(await h.ctx.metrics!.registry.metrics());
  /** A scrape once the operation's outcome is counted: that follows the row's final write, which the test saw first. */
  const scrapeWhenCounted = (result: string) =>
    eventually(async () => {
      const samples = await scrape();
      if (valueOf(samples, 'deployflow_operations_total', { kind: 'deploy', result }) === undefined) throw new Error(`no deploy counted ${result} yet`);
      return samples;
    });

  beforeAll(async () => {
    h = await startEngineHarness({ settings: { pollDeadlineMs: 5_000 } });
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  });
  afterAll(async () => h?.close());

  it('counts a failed deploy as failed, with the failing step timed as failed and the skipped steps not at all', async () => {
    const { operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API, runtime: { env: { CRASH_ON_START: '1' } } }, workspaceId);
    expect((await h.waitForOperation(operationId)).state).toBe('failed');
    const samples = await scrapeWhenCounted('failed');
    expect(valueOf(samples, 'deployflow_operations_total', { kind: 'deploy', result: 'failed' })).toBe(1);
    expect(valueOf(samples, 'deployflow_operation_duration_seconds_count', { kind: 'deploy', result: 'failed' })).toBe(1);
    expect(valueOf(samples, 'deployflow_step_duration_seconds_count', { kind: 'deploy', step: 'poll-instances', result: 'failed' })).toBe(1);
    // The steps after it never ran: they are skipped rows, not timed steps.
    expect(samplesOf(samples, 'deployflow_step_duration_seconds_count', { step: 'scrape-openapi' })).toEqual([]);
    expect(samplesOf(samples, 'deployflow_operations_total', { result: 'succeeded' })).toEqual([]);
  });

  it('counts a succeeded deploy once, even when its root job runs again', async () => {
    const { operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspaceId);
    expect((await h.waitForOperation(operationId)).state).toBe('succeeded');
    expect(valueOf(await scrapeWhenCounted('succeeded'), 'deployflow_operations_total', { kind: 'deploy', result: 'succeeded' })).toBe(1);

    // What a stalled root job or the reconciler does: complete the operation again. The row is not rewritten, and
    // the outcome is not counted again.
    const root = await h.engine.deps.queues.operations.getJob(operationId);
    const data = OperationJobData.parse(root!.data);
    const { engine } = h.engine.deps;
    await completeOperation(engine.context, engine.services, engine.flows.of('deploy'), data);
    const samples = await scrape();
    expect(valueOf(samples, 'deployflow_operations_total', { kind: 'deploy', result: 'succeeded' })).toBe(1);
    expect(valueOf(samples, 'deployflow_operation_duration_seconds_count', { kind: 'deploy', result: 'succeeded' })).toBe(1);
  });
});
