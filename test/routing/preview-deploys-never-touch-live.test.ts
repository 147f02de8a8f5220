import { planDeployRoutes } from '../../src/routing/plans/plan-deploy-routes';
import { actions, depId, PREVIEW, PRODUCTION, PROJECT, previewHostnames, route } from './route-fixtures';

const LIVE = 'shop-acme.deploy.localhost';

describe('a preview deploy', () => {
  const existing = [
    route(LIVE, depId(2), 'live'),
    route('shop-preview-acme.deploy.localhost', depId(3), 'environment', { environmentId: PREVIEW }),
  ];
  const customRoutes = [route('preview.shop.example', depId(3), 'custom', { environmentId: PREVIEW })];

  it.each([false, true])('moves only its own environment and custom routes (pinned: %p)', (pinned) => {
    const plan = planDeployRoutes({
      hostnames: previewHostnames(depId(6)),
      projectId: PROJECT,
      environmentId: PREVIEW,
      pinned,
      existing,
      customRoutes,
    });
    expect(actions(plan)).toEqual([
      ['deployment', 'shop-d0000006-acme.deploy.localhost', 'create'],
      ['commit', 'shop-git-abcdef0-acme.deploy.localhost', 'create'],
      ['branch', 'shop-git-feature-login-page-acme.deploy.localhost', 'create'],
      ['environment', 'shop-preview-acme.deploy.localhost', 'move'],
      ['custom', 'preview.shop.example', 'move'],
    ]);
    expect(plan.changes.map((c) => c.hostname)).not.toContain(LIVE);
    expect(plan.setLive).toBe(false);
  });

  it('ignores production custom routes passed in by mistake', () => {
    const plan = planDeployRoutes({
      hostnames: previewHostnames(depId(6)),
      projectId: PROJECT,
      environmentId: PREVIEW,
      pinned: false,
      existing: [],
      customRoutes: [route('www.shop.example', depId(2), 'custom', { environmentId: PRODUCTION }), route(LIVE, depId(2), 'live')],
    });
    expect(plan.changes.map((c) => c.hostname)).not.toContain('www.shop.example');
    expect(plan.changes.map((c) => c.hostname)).not.toContain(LIVE);
    expect(plan.notes).toEqual(expect.arrayContaining([expect.stringContaining('ignored www.shop.example')]));
  });
});
