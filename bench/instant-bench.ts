import { deployFlow } from '../flows/deploy';
import { DEPLOY_STEPS } from '../flows/step-names';
import type { BareFlows } from './bare-flow';
import type { BenchEngine } from './bench-engine';
import { DeployRun, readDeploy, removeFromKrane, runDeploy } from './deploy-bench';
import { runInLanes } from './lanes';
import { profilePhase } from './phase-profile';
import { measureCpu } from './process-cpu';
import { InstantKraneResult, ModeComparison, modeResult } from './report';
import { seedProject } from './seed';
import { summarize } from './stats';


export type Compare = (deployflow: { latencies: number[]; wallMs: number }, bare: { latencies: number[]; wallMs: number }, concurrency: number) => ModeComparison;

/**
 * The deploy flow against the instant Krane (instances RUNNING as soon as they are created, each a trivial HTTP app
 * in this process), so what is timed is the engine: its nine steps, their database and Krane calls and the queue
 * hops, side by side with the bare BullMQ flow of the same shape. Sequential, then `concurrency` lanes.
 */
export async function benchInstantDeploys(
  bench: BenchEngine,
  bare: BareFlows,
  input: {
    n: number;
    concurrency: number;
    warmup: number;
    compare: Compare;
    progress(message: string): void;
    /** Processes whose CPU time is counted per flow in the concurrent modes (the bench process, redis-server, PostgreSQL). */
    cpuGroups: Record<string, () => number[]>;
    /** The bare flow doing the least per-step bookkeeping (`BareBookkeeping`): what any durable step record costs. */
    bareBookkept?: BareFlows;
  },
): Promise<InstantKraneResult> {
  const { prisma, workspace } = bench;
  const sequentialProject = await seedProject(prisma, workspace.id, 'instant-seq');
  const lanes = await Promise.all(Array.from({ length: input.concurrency }, (_, lane) => seedProject(prisma, workspace.id, `instant-lane${lane}`)));
  const bareDeploy = () => bare.run(deployFlow);

  const warm: DeployRun[] = [];
  for (let i = 0; i < Math.max(1, input.warmup) * 3; i++) warm.push(await runDeploy(bench, sequentialProject.id, `warm-${i}`));
  await removeFromKrane(bench, warm.map((d) => d.deploymentId));

  input.progress(`instant Krane: ${input.n} deploys one at a time`);
  const sequential = await runInLanes(input.n, 1, (i) => runDeploy(bench, sequentialProject.id, `seq-${i}`));
  input.progress(`instant Krane: bare 9-step flow, ${input.n} one at a time`);
  const bareSequential = await runInLanes(input.n, 1, bareDeploy);
  input.progress(`instant Krane: ${input.n} deploys, ${input.concurrency} at once`);
  const deployCpu = measureCpu(input.cpuGroups);
  const concurrent = await profilePhase('instant-concurrent-deployflow', () => runInLanes(input.n, input.concurrency, (i, lane) => runDeploy(bench, lanes[lane].id, `lane-${i}`)));
  const deployCpuPercent = deployCpu.stop();
  input.progress(`instant Krane: bare 9-step flow, ${input.n}, ${input.concurrency} at once`);
  const bareCpu = measureCpu(input.cpuGroups);
  const bareConcurrent = await runInLanes(input.n, input.concurrency, bareDeploy);
  const bareCpuPercent = bareCpu.stop();
  let floor: InstantKraneResult['floor'];
  if (input.bareBookkept) {
    const bookkept = input.bareBookkept;
    input.progress(`instant Krane: bare 9-step flow with per-step bookkeeping, ${input.n}, ${input.concurrency} at once`);
    const floorCpu = measureCpu(input.cpuGroups);
    const floorRuns = await runInLanes(input.n, input.concurrency, () => bookkept.run(deployFlow));
    const floorCpuPercent = floorCpu.stop();
    const result = modeResult(floorRuns.results, floorRuns.wallMs, input.concurrency, summarize(floorRuns.results));
    const bareResult = modeResult(bareConcurrent.results, bareConcurrent.wallMs, input.concurrency, summarize(bareConcurrent.results));
    floor = {
      concurrent: result,
      throughputRatioToBare: Math.round((result.throughputPerSec / bareResult.throughputPerSec) * 1000) / 1000,
      cpuMsPerFlow: cpuMsPerFlow(floorCpuPercent, floorRuns.wallMs, input.n),
    };
  }

  // Read back only after the timing, so neither mode pays for reads the bare flow does not make.
  const measured = await Promise.all(sequential.results.map((run) => readDeploy(bench, run)));
  for (const run of concurrent.results) await readDeploy(bench, run);
  await removeFromKrane(bench, [...sequential.results, ...concurrent.results].map((d) => d.deploymentId));

  const latencies = (runs: DeployRun[]) => runs.map((r) => r.latencyMs);
  return {
    n: input.n,
    sequential: input.compare({ latencies: latencies(sequential.results), wallMs: sequential.wallMs }, { latencies: bareSequential.results, wallMs: bareSequential.wallMs }, 1),
    concurrent: input.compare(
      { latencies: latencies(concurrent.results), wallMs: concurrent.wallMs },
      { latencies: bareConcurrent.results, wallMs: bareConcurrent.wallMs },
      input.concurrency,
    ),
    cpuMsPerFlow: {
      deployflow: cpuMsPerFlow(deployCpuPercent, concurrent.wallMs, input.n),
      bare: cpuMsPerFlow(bareCpuPercent, bareConcurrent.wallMs, input.n),
    },
    floor,
    steps: Object.fromEntries(DEPLOY_STEPS.map((step) => [step, summarize(measured.map((d) => d.steps[step] ?? 0))])),
  };
}

/** A share of one core over a phase (100 = one core busy all along) as CPU milliseconds per flow of that phase. */
function cpuMsPerFlow(percent: Record<string, number>, wallMs: number, flows: number): Record<string, number> {
  return Object.fromEntries(Object.entries(percent).map(([name, share]) => [name, Math.round(((share / 100) * wallMs * 10) / flows) / 10]));
}
