import { collisionHostname, generatedHostnames } from '../../src/routing/hostnames/hostnames';
import { fitLabel, stableHash } from '../../src/routing/hostnames/slug';
import { depId, productionHostnames } from './route-fixtures';

const firstLabel = (hostname: string) => hostname.split('.')[0];
const VALID_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

describe('fitLabel', () => {
  it.each([
    ['short', 'short'],
    ['a'.repeat(63), 'a'.repeat(63)],
  ])('leaves a label that fits alone: %s', (label, expected) => {
    expect(fitLabel(label)).toBe(expected);
  });

  it.each([64, 70, 200, 1000])('shortens a %i-character label to exactly 63 ending in a hash of the whole label', (length) => {
    const label = 'b'.repeat(length);
    const fitted = fitLabel(label);
    expect(fitted).toHaveLength(63);
    expect(fitted.endsWith(`-${stableHash(label)}`)).toBe(true);
    expect(fitted).toMatch(VALID_LABEL);
  });

  it('never leaves a "-" before the hash when the cut falls on a separator', () => {
    // 55 chars, then separators straddling the cut at 56.
    const label = `${'c'.repeat(55)}----${'d'.repeat(20)}`;
    const fitted = fitLabel(label);
    expect(fitted).toBe(`${'c'.repeat(55)}-${stableHash(label)}`);
    expect(fitted).not.toMatch(/--/);
  });

  it('keeps two long labels that share a 70-character prefix apart', () => {
    const prefix = 'shared-'.repeat(10); // 70 characters
    const a = fitLabel(`${prefix}alpha`);
    const b = fitLabel(`${prefix}beta`);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(b.length).toBeLessThanOrEqual(63);
  });

  it('honours a smaller maximum', () => {
    const fitted = fitLabel('e'.repeat(40), 20);
    expect(fitted).toHaveLength(20);
    expect(fitted).toBe(`${'e'.repeat(13)}-${stableHash('e'.repeat(40))}`);
  });

  it('rejects a maximum too small for the hash', () => {
    expect(() => fitLabel('abc', 7)).toThrow(RangeError);
  });
});

describe('generated hostnames', () => {
  const longBranch = `feature/${'very-long-branch-name-'.repeat(9)}end`.slice(0, 200);
  const cases: Array<[string, Parameters<typeof productionHostnames>[1]]> = [
    ['a 200-character branch', { branch: longBranch }],
    ['a long project', { projectSlug: 'p'.repeat(80) }],
    ['a long workspace', { workspaceSlug: 'w'.repeat(80) }],
    ['a long environment', { environmentSlug: 'e'.repeat(80) }],
    ['a long unicode project', { projectSlug: 'Ünïcode Café '.repeat(10) }],
    ['everything long', { projectSlug: 'p'.repeat(63), workspaceSlug: 'w'.repeat(63), environmentSlug: 'e'.repeat(63), branch: 'b'.repeat(200) }],
  ];

  it.each(cases)('keep every first label within 63 characters with %s', (_name, extra) => {
    expect(longBranch).toHaveLength(200);
    for (const { hostname } of generatedHostnames(productionHostnames(depId(1), extra))) {
      expect(firstLabel(hostname).length).toBeLessThanOrEqual(63);
      expect(firstLabel(hostname)).toMatch(VALID_LABEL);
      expect(hostname.endsWith('.deploy.localhost')).toBe(true);
    }
  });

  it('give two long branches that share a 70-character prefix different branch hostnames', () => {
    const prefix = 'feature/' + 'x'.repeat(62); // 70 characters
    const branchHost = (branch: string) =>
      generatedHostnames(productionHostnames(depId(1), { branch })).find((h) => h.sticky === 'branch')!.hostname;
    const a = branchHost(`${prefix}-login`);
    const b = branchHost(`${prefix}-signup`);
    expect(a).not.toBe(b);
    expect(firstLabel(a).length).toBeLessThanOrEqual(63);
    expect(firstLabel(b).length).toBeLessThanOrEqual(63);
  });
});

describe('collisionHostname', () => {
  it.each([
    ['shop-acme.deploy.localhost'],
    [`${'l'.repeat(63)}.deploy.localhost`],
    [`${'m'.repeat(57)}.deploy.localhost`],
  ])('stays within 63 characters and ends the first label in the owner hash: %s', (hostname) => {
    const alternative = collisionHostname(hostname, 'prj_1/env_1');
    expect(firstLabel(alternative).length).toBeLessThanOrEqual(63);
    expect(firstLabel(alternative)).toMatch(VALID_LABEL);
    expect(firstLabel(alternative).endsWith(`-${stableHash('prj_1/env_1')}`)).toBe(true);
    expect(alternative.endsWith('.deploy.localhost')).toBe(true);
  });
});
