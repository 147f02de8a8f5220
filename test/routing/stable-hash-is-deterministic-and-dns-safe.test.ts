import { createHash } from 'node:crypto';
import { stableHash } from '../../src/routing/hostnames/slug';

// An independent reading of the documented encoding: sha256 bits, 5 at a time, into lower-case Crockford base32.
function reference(input: string, length: number): string {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  const bits = [...createHash('sha256').update(input, 'utf8').digest()].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[parseInt(bits.slice(i * 5, i * 5 + 5).padEnd(5, '0'), 2)];
  return out;
}

describe('stableHash', () => {
  it.each([
    ['', 6],
    ['prj_1/env_1', 6],
    ['Café Ünïcode', 6],
    ['shop-git-feature-login-page-acme', 6],
    ['x', 1],
    ['long input '.repeat(100), 12],
    ['max', 51],
  ])('encodes sha256(%j) as %i Crockford base32 characters', (input, length) => {
    const hash = stableHash(input, length);
    expect(hash).toBe(reference(input, length));
    expect(hash).toHaveLength(length);
    expect(hash).toMatch(/^[0-9a-hjkmnp-tv-z]+$/);
  });

  it('defaults to 6 characters', () => {
    expect(stableHash('anything')).toBe(reference('anything', 6));
  });

  it('separates inputs that differ by one character', () => {
    const hashes = ['prj_1/env_1', 'prj_1/env_2', 'prj_2/env_1', 'prj_1/env_1 '].map((s) => stableHash(s));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it.each([0, -1, 52, 2.5])('rejects length %p', (length) => {
    expect(() => stableHash('x', length)).toThrow(RangeError);
  });
});
