import { TerminalError } from '../../src/errors';
import { collisionHostname, deploymentIdSuffix, generatedHostnames, shortCommitSha, type HostnameInput } from '../../src/routing/hostnames/hostnames';
import { stableHash } from '../../src/routing/hostnames/slug';

const base: HostnameInput = {
  apex: 'deploy.localhost',
  workspaceSlug: 'acme',
  projectSlug: 'shop',
  environmentSlug: 'production',
  isProduction: true,
  deploymentId: 'dep_01j0abcdefk7m2q9x4d8h3wp6r',
};

describe('generatedHostnames', () => {
  it.each<[string, Partial<HostnameInput>, Array<[string, string, string?]>]>([
    ['production with commit and branch', { commitSha: 'abcdef0123456789abcdef0123456789abcdef01', branch: 'main' }, [
      ['deployment', 'shop-d8h3wp6r-acme.deploy.localhost'],
      ['commit', 'shop-git-abcdef0-acme.deploy.localhost'],
      ['branch', 'shop-git-main-acme.deploy.localhost', 'main'],
      ['environment', 'shop-production-acme.deploy.localhost'],
      ['live', 'shop-acme.deploy.localhost'],
    ]],
    ['preview: no live route', { environmentSlug: 'preview', isProduction: false }, [
      ['deployment', 'shop-d8h3wp6r-acme.deploy.localhost'],
      ['environment', 'shop-preview-acme.deploy.localhost'],
    ]],
    ['upper-case sha is lower-cased', { commitSha: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' }, [
      ['deployment', 'shop-d8h3wp6r-acme.deploy.localhost'],
      ['commit', 'shop-git-abcdef0-acme.deploy.localhost'],
      ['environment', 'shop-production-acme.deploy.localhost'],
      ['live', 'shop-acme.deploy.localhost'],
    ]],
    ['a 7-digit sha', { commitSha: '1234567', isProduction: false, environmentSlug: 'staging' }, [
      ['deployment', 'shop-d8h3wp6r-acme.deploy.localhost'],
      ['commit', 'shop-git-1234567-acme.deploy.localhost'],
      ['environment', 'shop-staging-acme.deploy.localhost'],
    ]],
    ['branch with slashes and capitals', { branch: 'feature/Login-Page', isProduction: false, environmentSlug: 'preview' }, [
      ['deployment', 'shop-d8h3wp6r-acme.deploy.localhost'],
      ['branch', 'shop-git-feature-login-page-acme.deploy.localhost', 'feature/Login-Page'],
      ['environment', 'shop-preview-acme.deploy.localhost'],
    ]],
    ['unicode names are folded', { projectSlug: 'Café Ünïcode', workspaceSlug: 'Équipe', branch: 'fix/Überweisung', isProduction: false, environmentSlug: 'Prévia' }, [
      ['deployment', 'cafe-unicode-d8h3wp6r-equipe.deploy.localhost'],
      ['branch', 'cafe-unicode-git-fix-uberweisung-equipe.deploy.localhost', 'fix/Überweisung'],
      ['environment', 'cafe-unicode-previa-equipe.deploy.localhost'],
    ]],
    ['upper-case apex and names', { apex: 'Deploy.Example.COM.', projectSlug: 'SHOP', workspaceSlug: 'ACME', isProduction: false, environmentSlug: 'QA' }, [
      ['deployment', 'shop-d8h3wp6r-acme.deploy.example.com'],
      ['environment', 'shop-qa-acme.deploy.example.com'],
    ]],
  ])('%s', (_name, extra, expected) => {
    const got = generatedHostnames({ ...base, ...extra }).map((h) => [h.sticky, h.hostname, ...(h.branch === undefined ? [] : [h.branch])]);
    expect(got).toEqual(expected);
  });

  it.each<[string, string | null | undefined]>([
    ['no sha', undefined],
    ['null sha', null],
    ['empty sha', ''],
    ['too short', 'abc123'],
    ['not hex', 'zzzzzzzzzz'],
    ['hex with a stray letter', 'abcdef012g'],
    ['a branch name, not a sha', 'main'],
    ['too long', 'a'.repeat(65)],
  ])('makes no commit route for an invalid sha: %s', (_name, commitSha) => {
    const stickies = generatedHostnames({ ...base, commitSha }).map((h) => h.sticky);
    expect(stickies).not.toContain('commit');
    expect(shortCommitSha(commitSha)).toBeNull();
  });

  it.each<[string | null | undefined]>([[undefined], [null], [''], ['   ']])('makes no branch route without a branch: %p', (branch) => {
    expect(generatedHostnames({ ...base, branch }).map((h) => h.sticky)).not.toContain('branch');
  });

  it('names branches that slug to nothing with a stable fallback', () => {
    const branch = generatedHostnames({ ...base, branch: '🚀' }).find((h) => h.sticky === 'branch')!;
    expect(branch.hostname).toBe(`shop-git-x${stableHash('🚀')}-acme.deploy.localhost`);
    expect(branch.branch).toBe('🚀');
  });

  it('names projects and workspaces that slug to nothing with stable fallbacks', () => {
    const live = generatedHostnames({ ...base, projectSlug: '商店', workspaceSlug: '' }).find((h) => h.sticky === 'live')!;
    expect(live.hostname).toBe(`x${stableHash('商店')}-x${stableHash('')}.deploy.localhost`);
  });

  it('gives every deployment of a project its own deployment hostname', () => {
    const ids = ['dep_01j0abcdefk7m2q9x4d8h3wp6r', 'dep_01j0abcdefk7m2q9x4d8h3wp6s', 'dep_01j0abcdegaaaaaaaaaaaaaaaa'];
    const hosts = ids.map((deploymentId) => generatedHostnames({ ...base, deploymentId })[0].hostname);
    expect(new Set(hosts).size).toBe(ids.length);
  });

  it.each(['', 'dep_', 'dep_abc', 'dep_----------'])('refuses a deployment id without an 8-character suffix: %j', (deploymentId) => {
    expect(() => generatedHostnames({ ...base, deploymentId })).toThrow(TerminalError);
  });

  it('takes the suffix from the random end of the id', () => {
    expect(deploymentIdSuffix('dep_01J0ABCDEFK7M2Q9X4D8H3WP6R')).toBe('d8h3wp6r');
  });

  it('refuses an empty apex', () => {
    expect(() => generatedHostnames({ ...base, apex: ' . ' })).toThrow(TerminalError);
  });
});

describe('collisionHostname', () => {
  it('appends the owner hash to the first label, the same way every time', () => {
    const alternative = collisionHostname('shop-acme.deploy.localhost', 'prj_a/env_b');
    expect(alternative).toBe(`shop-acme-${stableHash('prj_a/env_b')}.deploy.localhost`);
    expect(collisionHostname('shop-acme.deploy.localhost', 'prj_a/env_b')).toBe(alternative);
  });

  it('differs per owner', () => {
    expect(collisionHostname('shop-acme.deploy.localhost', 'prj_a/env_b')).not.toBe(collisionHostname('shop-acme.deploy.localhost', 'prj_a/env_c'));
  });
});
