import { slugify } from '../../src/routing/hostnames/slug';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FALLBACK = /^x[0-9a-z]{6}$/;

describe('slugify', () => {
  it.each([
    ['Café Ünïcode', 'cafe-unicode'],
    ['feature/Login-Page', 'feature-login-page'],
    ['  --Hello__World--  ', 'hello-world'],
    ['a...b///c', 'a-b-c'],
    ['UPPER lower 123', 'upper-lower-123'],
    ['already-a-slug', 'already-a-slug'],
    ['ﬁle', 'file'], // ligature folds by compatibility decomposition
    ['Ｆｕｌｌ Ｗｉｄｔｈ', 'full-width'],
    ['İstanbul', 'istanbul'], // lower case of İ decomposes to i + combining dot
    ['Ångström Ñandú', 'angstrom-nandu'],
    ['Crème brûlée', 'creme-brulee'],
    ['日本語 app', 'app'], // CJK does not fold: it is a separator
    ['app 🚀 rocket', 'app-rocket'],
    ['straße', 'stra-e'], // ß has no decomposition
    ['release/v1.2.3', 'release-v1-2-3'],
    ['dependabot/npm_and_yarn/lodash-4.17.21', 'dependabot-npm-and-yarn-lodash-4-17-21'],
  ])('%j → %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });

  it.each(['', '   ', '---', '🚀', '日本語', '////', 'ß'])('an empty result falls back to a stable hash: %j', (input) => {
    const slug = slugify(input);
    expect(slug).toMatch(FALLBACK);
    expect(slugify(input)).toBe(slug);
  });

  it('gives different fallbacks for different inputs that slug to nothing', () => {
    const fallbacks = ['', '🚀', '🎉', '日本語', '中文', '---'].map(slugify);
    expect(new Set(fallbacks).size).toBe(fallbacks.length);
  });

  it.each([
    'Café Ünïcode', 'feature/Login-Page', '日本語', '', '  x  ', 'a'.repeat(200), '🚀 launch 🚀', '-a-', 'Ａ１',
  ])('always yields a valid slug that slugifies to itself: %j', (input) => {
    const slug = slugify(input);
    expect(slug).toMatch(SLUG);
    expect(slugify(slug)).toBe(slug);
  });
});
