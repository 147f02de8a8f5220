import { performance } from 'node:perf_hooks';
import { DeployStep } from '../flows/step-names';
import { startGatewayProcesses } from '../src/gateway';
import { INSTANT_READINESS_ENV } from '../src/krane/drivers/instant-driver';
import type { Logger } from '../src/logger';
import type { BenchEngine } from './bench-engine';
import type { Cleanup } from './cleanup';
import { readDeploy, requestDeploy, runDeploy } from './deploy-bench';
import { runInLanes } from './lanes';
import { seedProject } from './seed';
import { cpuSecondsOfAll } from './process-cpu';
import { LatencySummary, ratio, summarize } from './stats';
import { GatewayPoller, measureSwitch, startGatewayPoller, SwitchMeasurement, waitUntilServed } from './switch-bench';

/**
 * What the polls cost while nothing else runs, measured over the settling wait before the loaded switches: CPU time
 * per poll of this process (engine, Krane server and client: everything but the databases), of Redis and of
 * PostgreSQL (its backends included). Steadier than latencies on a shared machine: it does not depend on what else
 * runs, only on what one poll does.
 */
export interface PollCost {
  windowMs: number;
  polls: number;
  pollsPerSecond: number;
  cpuMsPerPoll: { benchProcess: number; redis?: number; postgres?: number };
}

export interface SwitchSeries {
  count: number;
  toTraffic: LatencySummary;
  toSucceeded: LatencySummary;
}

/** Rollback → traffic while `pollingDeploys` deploys poll; the top-level figures are the loaded toTraffic series. */
export type UnderPollLoadResult = LatencySummary & {
  pollingDeploys: number;
  pollIntervalMs: number;
  /** Deploys still polling once the loaded switches were done (all of them, or the load was not there). */
  stillPollingAfter: number;
  /** CPU time per poll (absent when the Krane's polls cannot be counted). */
  pollCost?: PollCost;
  /** Time to request the polling deploys and see every one of them polling. */
  setupMs: number;
  gatewayProcesses: number;
  loaded: SwitchSeries;
  /** The same switches, same setup, before the polling deploys were started. */
  unloaded: SwitchSeries;
  /** loaded ÷ unloaded toTraffic (the goal is p99 ≤ 2). */
  ratio: { p50: number; p99: number };
};

const PROGRESS_EVERY = 100;

async function pollingCount(bench: BenchEngine, deploymentIds: string[]): Promise<number> {
  return bench.prisma.deploymentStep.count({ where: { name: DeployStep.pollInstances, status: 'running', ownerId: { in: deploymentIds } } });
}

function series(switches: SwitchMeasurement[]): SwitchSeries {
  return { count: switches.length, toTraffic: summarize(switches.map((s) => s.toTrafficMs)), toSucceeded: summarize(switches.map((s) => s.toSucceededMs)) };
}

async function measurePollCost(windowMs: number, countPolls: (() => number) | undefined, servers: { redis?: () => number[]; postgres?: () => number[] } = {}): Promise<PollCost | undefined> {
  if (!countPolls) return undefined;
  // Per process, so that a PostgreSQL backend that ended in the window is left out rather than subtracted.
  const cpuSince = (pids: () => number[]) => {
    const before = new Map(pids().map((pid) => [pid, cpuSecondsOfAll([pid])]));
    return () => pids().reduce((sum, pid) => sum + cpuSecondsOfAll([pid]) - (before.get(pid) ?? 0), 0);
  };
  const polls0 = countPolls();
  const cpu0 = process.cpuUsage();
  const redisCpu = servers.redis ? cpuSince(servers.redis) : undefined;
  const postgresCpu = servers.postgres ? cpuSince(servers.postgres) : undefined;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const cpu = process.cpuUsage(cpu0);
  const redisSeconds = redisCpu?.();
  const postgresSeconds = postgresCpu?.();
  const elapsed = performance.now() - started;
  const polls = countPolls() - polls0;
  if (polls === 0) return undefined;
  const perPoll = (seconds: number) => Math.round((seconds * 1000 * 1000) / polls) / 1000;
  return {
    windowMs: Math.round(elapsed),
    polls,
    pollsPerSecond: Math.round((polls * 1000) / elapsed),
    cpuMsPerPoll: {
      benchProcess: Math.round(((cpu.user + cpu.system) / 1000 / polls) * 1000) / 1000,
      ...(redisSeconds !== undefined ? { redis: perPoll(redisSeconds) } : {}),
      ...(postgresSeconds !== undefined ? { postgres: perPoll(postgresSeconds) } : {}),
    },
  };
}

/**
 * Rollback/promote between two instant-Krane deployments behind the gateway, timed to the first answer from the
 * target on the live hostname: first with nothing else going on, then while `pollingDeploys` deploys sit in
 * poll-instances against never-ready instances (each polls every `pollIntervalMs`), which is the queue a switch must
 * not wait behind.
 */
export async function benchRollbackUnderPollLoad(
  bench: BenchEngine,
  input: {
    pollingDeploys: number;
    switches: number;
    warmup: number;
    pollIntervalMs: number;
    gatewayProcesses: number;
    redisUrl: string;
    prefix: string;
    cleanup: Cleanup;
    logger: Logger;
    progress(message: string): void;
    /** How many polls asked Krane so far (the instant driver's `get` calls). */
    countPolls?: () => number;
    /** The Redis and PostgreSQL servers this run started, whose CPU time per poll is reported too. */
    serverPids?: { redis?: () => number[]; postgres?: () => number[] };
  },
): Promise<UnderPollLoadResult> {
  const { prisma, workspace } = bench;
  const project = await seedProject(prisma, workspace.id, 'poll-switch');
  const blue = await readDeploy(bench, await runDeploy(bench, project.id, 'blue'));
  const green = await readDeploy(bench, await runDeploy(bench, project.id, 'green'));
  const gateway = await startGatewayProcesses({ redisUrl: input.redisUrl, prefix: input.prefix, prisma, port: 0, processes: input.gatewayProcesses, logger: input.logger, logLevel: 'error' });
  input.cleanup.add('gateway (poll load)', () => gateway.close());
  const liveHost = (await prisma.ingressRoute.findFirstOrThrow({ where: { projectId: project.id, sticky: 'live' } })).hostname;
  await waitUntilServed(gateway.port, liveHost, green.deploymentId);
  const poller: GatewayPoller = startGatewayPoller(gateway.port, 1);
  input.cleanup.add('gateway poller thread (poll load)', () => poller.close());
  const switchOnce = (i: number) =>
    i % 2 === 0
      ? measureSwitch(bench, poller, { kind: 'rollback', projectId: project.id, liveHost, target: blue.deploymentId })
      : measureSwitch(bench, poller, { kind: 'promote', projectId: project.id, liveHost, target: green.deploymentId });
  const measure = async () => {
    const out: SwitchMeasurement[] = [];
    for (let i = 0; i < input.switches; i++) out.push(await switchOnce(i));
    return out;
  };

  for (let i = 0; i < input.warmup * 2; i++) await switchOnce(i);
  input.progress(`poll load: ${input.switches} switches, unloaded`);
  const unloaded = await measure();

  input.progress(`poll load: starting ${input.pollingDeploys} deploys whose instances never become ready`);
  const pollers = await seedProject(prisma, workspace.id, 'pollers');
  const setupStarted = performance.now();
  let requested = 0;
  const { results } = await runInLanes(input.pollingDeploys, 20, async (i) => {
    const { deploymentId } = await requestDeploy(bench, pollers.id, `poller-${i}`, { [INSTANT_READINESS_ENV]: 'never-ready' });
    if (++requested % PROGRESS_EVERY === 0) input.progress(`poll load: ${requested} requested`);
    return deploymentId;
  });
  const deadline = Date.now() + 600_000;
  for (;;) {
    const polling = await pollingCount(bench, results);
    if (polling >= input.pollingDeploys) break;
    if (Date.now() > deadline) throw new Error(`only ${polling} of ${input.pollingDeploys} deploys reached poll-instances within 10 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const setupMs = performance.now() - setupStarted;
  // A few poll intervals so the polls are spread over the interval as they would be in steady state; the polls' cost
  // is measured over the last two of them.
  await new Promise((r) => setTimeout(r, input.pollIntervalMs));
  const pollCost = await measurePollCost(input.pollIntervalMs * 2, input.countPolls, input.serverPids);
  if (pollCost) input.progress(`poll load: ${pollCost.pollsPerSecond} polls/s, CPU per poll ${JSON.stringify(pollCost.cpuMsPerPoll)} ms`);
  input.progress(`poll load: ${input.switches} switches while ${input.pollingDeploys} deploys poll every ${input.pollIntervalMs} ms`);
  const loaded = await measure();
  const stillPollingAfter = await pollingCount(bench, results);

  await poller.close();
  await gateway.close();
  const loadedSeries = series(loaded);
  const unloadedSeries = series(unloaded);
  return {
    ...loadedSeries.toTraffic,
    pollingDeploys: input.pollingDeploys,
    pollIntervalMs: input.pollIntervalMs,
    stillPollingAfter,
    ...(pollCost ? { pollCost } : {}),
    setupMs: Math.round(setupMs),
    gatewayProcesses: gateway.processes,
    loaded: loadedSeries,
    unloaded: unloadedSeries,
    ratio: { p50: ratio(loadedSeries.toTraffic.p50Ms, unloadedSeries.toTraffic.p50Ms), p99: ratio(loadedSeries.toTraffic.p99Ms, unloadedSeries.toTraffic.p99Ms) },
  };
}
