// The API first: its schemas must be built after @hono/zod-openapi extended zod.
import { ApiHarness, apiHarnessOver, WorkspaceKeys } from '../api/support/api-harness';
import { createProject, waitOverHttp } from '../api/support/deployments';
import { DriverUnavailableError, KraneDriver } from '../../src/krane/driver';
import type { KraneDeploymentSpec, KraneInstance } from '../../src/krane/types';
import { createLogger } from '../../src/logger';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';

/** What only the host knows: where its docker socket and its state live. */
const HOST_PATH = '/srv/host-only-7f3a';
const DOCKER_HOST = `unix://${HOST_PATH}/docker.sock`;

/**
 * A Krane driver that fails the way real drivers do on a bad day, saying where on the host: an unreachable docker
 * daemon (the docker driver's DriverUnavailableError names DOCKER_HOST and the socket error), and an unexpected
 * error of its own (Krane passes it on as INTERNAL `driver failed: …`).
 */
class HostTalkingDriver implements KraneDriver {
  async create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }> {
    if (spec.image.endsWith('daemon-down')) {
      throw new DriverUnavailableError(`docker daemon at ${DOCKER_HOST} is not reachable (create container): connect EACCES ${HOST_PATH}/docker.sock`);
    }
    if (spec.image.endsWith('driver-bug')) throw new Error(`EACCES: permission denied, open '${HOST_PATH}/state/${spec.deploymentId}.json'`);
    return { alreadyExisted: false };
  }
  async get(): Promise<KraneInstance[]> {
    throw new Error(`ENOENT: no such file or directory, scandir '${HOST_PATH}/instances'`);
  }
  async delete(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

describe("a driver's internal errors", () => {
  let h: ApiHarness & { engine: EngineHarness<HostTalkingDriver> };
  let acme: WorkspaceKeys;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logger = createLogger('debug', {}, (line) => logLines.push(line) > 0);
    h = await apiHarnessOver(await startEngineHarness({ kraneDriver: new HostTalkingDriver(), logger, settings: { pollDeadlineMs: 1_500 } }));
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
  });
  afterAll(async () => h?.close());

  async function deploy(image: string): Promise<{ deploymentId: string; operationId: string }> {
    const res = await h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image } });
    if (res.status !== 202) throw new Error(`POST /v1/deployments: ${res.status} ${res.text}`);
    return res.body;
  }

  /** Every field of the deploy a tenant can read, through the API and straight from the rows behind it. */
  async function tenantVisible(deploymentId: string, operationId: string): Promise<string[]> {
    const prisma = h.db.prisma;
    const deployment = await prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    const steps = await prisma.deploymentStep.findMany({ where: { ownerId: deploymentId } });
    const operation = await prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
    return [
      (await h.call('GET', `/v1/deployments/${deploymentId}`, { key: acme.viewer })).text,
      (await h.call('GET', `/v1/operations/${operationId}`, { key: acme.viewer })).text,
      JSON.stringify({ reason: deployment.statusReason, steps: steps.map((s) => [s.error, s.output]), op: [operation.errorMessage, operation.result] }),
    ];
  }

  it.each([
    ['an unreachable docker daemon', 'file:examples/daemon-down', 'create-in-krane', 'krane_unavailable', 'UNAVAILABLE'],
    ['an unexpected error of the driver', 'file:examples/driver-bug', 'create-in-krane', 'krane_internal', 'INTERNAL'],
  ])('(%s) fail the deploy with the catalogue message only; the host path goes to the log', async (_what, image, step, code, status) => {
    const { deploymentId, operationId } = await deploy(image);
    const op = await waitOverHttp(h, acme.viewer, operationId);
    const expected = `${step}: krane CreateDeployment acme/${deploymentId} failed: ${status}`;
    expect(op).toMatchObject({ state: 'failed', error: { code, message: expected } });

    const deployment = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(deployment).toMatchObject({ status: 'failed', failedStep: step, statusReason: expected });
    for (const text of await tenantVisible(deploymentId, operationId)) {
      expect(text).not.toContain(HOST_PATH);
      expect(text).not.toMatch(/docker daemon|driver failed|EACCES/);
    }
    // Not lost: the operators' log has Krane's own words.
    expect(logLines.filter((l) => l.includes(deploymentId) && l.includes(HOST_PATH)).length).toBeGreaterThan(0);
  });

  it('(a Krane that cannot list instances) keeps polling with the public message in the progress line, then fails at the deadline', async () => {
    const { deploymentId, operationId } = await deploy('file:examples/hello-api');
    expect(await waitOverHttp(h, acme.viewer, operationId)).toMatchObject({ state: 'failed', error: { code: 'instances_not_ready' } });
    const poll = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: 'poll-instances' } } });
    expect(poll.output).toContain(`(krane: krane GetDeployment acme/${deploymentId} failed: INTERNAL)`);
    for (const text of await tenantVisible(deploymentId, operationId)) expect(text).not.toContain(HOST_PATH);
    expect(logLines.filter((l) => l.includes(deploymentId) && l.includes(HOST_PATH)).length).toBeGreaterThan(0);
  });
});
