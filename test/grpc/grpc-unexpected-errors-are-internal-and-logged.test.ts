import { Status } from 'nice-grpc';
import { startGrpcServer } from '../../src/grpc/server';
import { createHydraClient } from '../../src/grpc/client';
import { createLogger } from '../../src/logger';
import { expectStatus, GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

describe('an unexpected failure answers INTERNAL with a generic message; the log gets the real one', () => {
  let bed: GrpcTestBed;
  beforeAll(async () => {
    bed = await startGrpcTestBed({ workers: false });
  });
  afterAll(async () => bed.close());

  it('a database that lost a table', async () => {
    const lines: string[] = [];
    const logger = createLogger('error', {}, (line) => lines.push(line) > 0);
    const server = await startGrpcServer({ ...bed.h.ctx, logger, operations: bed.h.engine.producer, watcher: bed.h.watcher }, { port: 0 });
    const client = createHydraClient(server.url, bed.keys.deployer);
    try {
      const { project, production } = bed.seeded;
      const pending = await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'pending' });
      await bed.h.db.prisma.$executeRawUnsafe('DROP TABLE "Operation" CASCADE');
      const err = await expectStatus(client.deploy({ deploymentId: pending.id }), Status.INTERNAL);
      expect(err.details).toBe('internal error: the request could not be completed; it has been logged');
      expect(err.details).not.toMatch(/Operation|relation|prisma/i);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged).toEqual([expect.objectContaining({ level: 'error', component: 'grpc', method: '/hydra.v1.DeploymentService/Deploy', error: expect.stringMatching(/Operation/) })]);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
