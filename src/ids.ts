import { randomBytes } from 'node:crypto';

// Crockford base32, lower case: sorts the same as the time it encodes, and is DNS-safe.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % 32];
  return out;
}

let lastTime = 0;
let lastRandom = '';

/**
 * A sortable id: `<prefix>_<10 chars of time><16 random chars>`. Ids made later sort later (within one process,
 * monotonic even within the same millisecond), so "newer deployment" is a string comparison.
 */
export function newId(prefix: IdPrefix): string {
  const now = Date.now();
  let random: string;
  if (now <= lastTime && lastRandom) {
    random = increment(lastRandom);
  } else {
    random = encodeRandom(16);
    lastTime = now;
  }
  lastRandom = random;
  return `${prefix}_${encodeTime(Math.max(now, lastTime))}${random}`;
}

function increment(value: string): string {
  const chars = value.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const index = ALPHABET.indexOf(chars[i]);
    if (index < 31) {
      chars[i] = ALPHABET[index + 1];
      return chars.join('');
    }
    chars[i] = ALPHABET[0];
  }
  return chars.join('');
}

export type IdPrefix = 'ws' | 'key' | 'prj' | 'env' | 'dep' | 'op' | 'stp' | 'ins' | 'rt' | 'rc' | 'req' | 'rp' | 'rel';

export const ID_PATTERN = /^[a-z]{2,4}_[0-9a-z]{26}$/;
