import { errorFields } from './support/api-harness';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects/:id/release-policy (refused)', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  const post = (body: unknown) => h.call('POST', '/v1/projects/shop/release-policy', { key: acme.deployer, body });
  const ok = [{ weight: 5, durationSeconds: 60 }, { weight: 100 }];

  it.each([
    ['no stages', {}, 'stages'],
    ['an empty stage list', { stages: [] }, 'stages'],
    ['a last stage below 100', { stages: [{ weight: 5, durationSeconds: 60 }, { weight: 50 }] }, 'stages[1].weight'],
    ['weights that do not rise', { stages: [{ weight: 50, durationSeconds: 60 }, { weight: 20, durationSeconds: 60 }, { weight: 100 }] }, 'stages[1].weight'],
    ['a stage without its duration', { stages: [{ weight: 5 }, { weight: 100 }] }, 'stages[0].durationSeconds'],
    ['a weight above 100', { stages: [{ weight: 101 }] }, 'stages[0].weight'],
    ['a fractional weight', { stages: [{ weight: 5.5, durationSeconds: 60 }, { weight: 100 }] }, 'stages[0].weight'],
    ['an unknown advance mode', { stages: ok, advance: 'sometimes' }, 'advance'],
    ['a negative threshold', { stages: ok, maxErrorRateIncreasePoints: -1 }, 'maxErrorRateIncreasePoints'],
    ['a zero judging window', { stages: ok, judgeWindowSeconds: 0 }, 'judgeWindowSeconds'],
    ['minRequests as a string', { stages: ok, minRequests: '20' }, 'minRequests'],
    ['an unknown field', { stages: ok, canaryWeight: 5 }, 'canaryWeight'],
  ])('answers 400 naming the field for %s, and stores nothing', async (_what, body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res).join(' ')).toContain(field);
    expect(await h.db.prisma.releasePolicy.count()).toBe(0);
  });

  it('answers 404 for a project that does not exist', async () => {
    const res = await h.call('POST', '/v1/projects/nope/release-policy', { key: acme.deployer, body: { stages: ok } });
    expect(res.status).toBe(404);
  });
});
