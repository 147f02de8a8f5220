import { transitionDeployment } from '../../src/deployments/deployment-status';
import { ACTIVE_STATUSES, TERMINAL_STATUSES } from '../../src/statuses';
import { noStateEvents } from '../../src/engine/state-events';
import { newId } from '../../src/ids';
import { seedProject } from '../support/seed';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('deployment status writes are compare-and-set', () => {
  let db: TestDatabase;
  let seeded: Awaited<ReturnType<typeof seedProject>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    seeded = await seedProject(db.prisma);
  });
  afterAll(async () => db.drop());
  const writer = () => ({ prisma: db.prisma, events: noStateEvents });

  const create = (status: (typeof TERMINAL_STATUSES)[number] | 'pending') =>
    db.prisma.deployment.create({ data: { id: newId('dep'), projectId: seeded.project.id, environmentId: seeded.production.id, image: 'file:x', status } });

  it.each(TERMINAL_STATUSES)('a %s deployment stays so whatever a replayed step writes', async (status) => {
    const d = await create(status);
    for (const to of [...ACTIVE_STATUSES, 'failed', 'cancelled', 'ready'] as const) {
      expect(await transitionDeployment(writer(), d.id, ACTIVE_STATUSES, to, { statusReason: 'late write' })).toBe(false);
    }
    expect(await db.prisma.deployment.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({ status, statusReason: null });
  });

  it('moves only from the expected status, once', async () => {
    const d = await create('pending');
    expect(await transitionDeployment(writer(), d.id, ['pending'], 'building')).toBe(true);
    expect(await transitionDeployment(writer(), d.id, ['pending'], 'building')).toBe(false);
    expect(await transitionDeployment(writer(), d.id, ['building'], 'deploying')).toBe(true);
  });
});
